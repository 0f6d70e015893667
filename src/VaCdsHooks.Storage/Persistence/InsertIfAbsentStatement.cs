using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// <c>INSERT ... ON CONFLICT (unique key) DO NOTHING</c>, which SQLite and PostgreSQL spell the same way.
/// Atomic, unlike check-then-insert, so two concurrent retries cannot both insert or fail; and unlike catching a
/// unique violation it leaves a PostgreSQL transaction usable. Built from the EF model so column names and value
/// conversions stay in one place. Store-generated columns (identity ids) are left out.
/// </summary>
internal sealed class InsertIfAbsentStatement<TEntity>
    where TEntity : class
{
    private static readonly ConcurrentDictionary<(Type Context, string ConflictKey), InsertIfAbsentStatement<TEntity>> Cache = new();
    private readonly IReadOnlyList<IProperty> _columns;

    private InsertIfAbsentStatement(VaCdsHooksDbContext db, string conflictKeyName)
    {
        var entityType = db.Model.FindEntityType(typeof(TEntity))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        _columns = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
        // The conflict target: a unique index or the primary key, by its database name.
        var conflictKey = entityType.GetIndexes().SingleOrDefault(i => i.IsUnique && i.GetDatabaseName() == conflictKeyName)?.Properties
            ?? entityType.GetKeys().Single(k => k.GetName() == conflictKeyName).Properties;
        var columnList = string.Join(", ", _columns.Select(p => sql.DelimitIdentifier(p.GetColumnName())));
        var values = string.Join(", ", _columns.Select((_, i) => "@p" + i));
        var conflictColumns = string.Join(", ", conflictKey.Select(p => sql.DelimitIdentifier(p.GetColumnName())));
        Sql = $"INSERT INTO {sql.DelimitIdentifier(entityType.GetTableName()!, entityType.GetSchema())} ({columnList}) VALUES ({values}) ON CONFLICT ({conflictColumns}) DO NOTHING";
    }

    public string Sql { get; }

    public static InsertIfAbsentStatement<TEntity> For(VaCdsHooksDbContext db, string conflictKeyName) =>
        Cache.GetOrAdd((db.GetType(), conflictKeyName), key => new InsertIfAbsentStatement<TEntity>(db, key.ConflictKey));

    /// <summary>Runs the insert in the context's current transaction; returns 1 when inserted, 0 when the key existed.</summary>
    public Task<int> ExecuteAsync(VaCdsHooksDbContext db, TEntity row, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(Sql, Parameters(db, row), cancellationToken);

    private DbParameter[] Parameters(VaCdsHooksDbContext db, TEntity row)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        // The property's own type mapping applies its value converter (e.g. SQLite's UTC text timestamps).
        return _columns
            .Select((p, i) => p.GetRelationalTypeMapping().CreateParameter(command, "@p" + i, p.PropertyInfo!.GetValue(row), p.IsNullable))
            .ToArray();
    }
}
