using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class CardFeedbackStore(VaCdsHooksDbContextFactory contexts) : ICardFeedbackStore
{
    public async Task<int> SaveAsync(IReadOnlyList<CardFeedbackRecord> feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        if (feedback.Count == 0)
        {
            return 0;
        }

        var rows = feedback.Select(RecordMapping.ToEntity).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var statement = InsertIfAbsentStatement.For(db);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = 0;
        foreach (var row in rows)
        {
            inserted += await db.Database.ExecuteSqlRawAsync(statement.Sql, statement.Parameters(db, row), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public async Task<IReadOnlyList<CardFeedbackRecord>> FindByCardAsync(string serviceId, string cardUuid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentException.ThrowIfNullOrEmpty(cardUuid);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<CardFeedbackEntity>().AsNoTracking()
            .Where(x => x.ServiceId == serviceId && x.CardUuid == cardUuid)
            .OrderBy(x => x.OutcomeTimestamp).ThenBy(x => x.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }

    /// <summary>
    /// <c>INSERT ... ON CONFLICT (unique key) DO NOTHING</c>, which SQLite and PostgreSQL spell the same way.
    /// Atomic, unlike check-then-insert, so two concurrent retries of one POST cannot both insert or fail.
    /// Built from the EF model so column names and value conversions stay in one place.
    /// </summary>
    private sealed class InsertIfAbsentStatement
    {
        private static readonly ConcurrentDictionary<Type, InsertIfAbsentStatement> ByContextType = new();
        private readonly IReadOnlyList<IProperty> _columns;

        private InsertIfAbsentStatement(VaCdsHooksDbContext db)
        {
            var entityType = db.Model.FindEntityType(typeof(CardFeedbackEntity))!;
            var sql = db.GetService<ISqlGenerationHelper>();
            _columns = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
            var conflictKey = entityType.GetIndexes().Single(i => i.IsUnique);
            var columnList = string.Join(", ", _columns.Select(p => sql.DelimitIdentifier(p.GetColumnName())));
            var values = string.Join(", ", _columns.Select((_, i) => "@p" + i));
            var conflictColumns = string.Join(", ", conflictKey.Properties.Select(p => sql.DelimitIdentifier(p.GetColumnName())));
            Sql = $"INSERT INTO {sql.DelimitIdentifier(entityType.GetTableName()!, entityType.GetSchema())} ({columnList}) VALUES ({values}) ON CONFLICT ({conflictColumns}) DO NOTHING";
        }

        public string Sql { get; }

        public static InsertIfAbsentStatement For(VaCdsHooksDbContext db) => ByContextType.GetOrAdd(db.GetType(), _ => new InsertIfAbsentStatement(db));

        public DbParameter[] Parameters(VaCdsHooksDbContext db, CardFeedbackEntity row)
        {
            using var command = db.Database.GetDbConnection().CreateCommand();
            // The property's own type mapping applies its value converter (e.g. SQLite's UTC text timestamps).
            return _columns
                .Select((p, i) => p.GetRelationalTypeMapping().CreateParameter(command, "@p" + i, p.PropertyInfo!.GetValue(row), p.IsNullable))
                .ToArray();
        }
    }
}
