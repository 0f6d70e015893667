using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// An INSERT of one mapped entity type (owned types included), built from the EF model so table and column names,
/// type mappings and value converters stay in one place, and run as a plain command without the change tracker:
/// <list type="bullet">
/// <item>insert-if-absent (<c>ON CONFLICT (unique key) DO NOTHING</c>, spelled the same on SQLite and PostgreSQL):
/// atomic, unlike check-then-insert, and unlike catching a unique violation it leaves a PostgreSQL transaction usable;</item>
/// <item>the hook path's rows, where tracking a call's graph (exchange, chart, assertions, criteria) cost more CPU than
/// the database spent storing it.</item>
/// </list>
/// Store-generated keys (identity ids) are left out; <c>returningKey</c> reads the generated key back. Several rows
/// may go in one statement (one round trip to PostgreSQL instead of one per row).
/// </summary>
internal sealed class MappedInsert
{
    private static readonly ConcurrentDictionary<(Type Context, IReadOnlyEntityType EntityType, string? ConflictKey, bool ReturningKey), MappedInsert> Cache = new();
    private readonly IProperty[] _columns;

    // Per column: how to read it from a row (null for a shadow column), looked up once rather than per row.
    private readonly IClrPropertyGetter?[] _getters;
    private readonly Dictionary<string, int> _shadowColumns;
    private readonly string _into;
    private readonly string _onConflictAndReturning = "";
    private readonly bool _returningKey;
    private readonly ConcurrentDictionary<int, string> _sqlByRowCount = new();

    private MappedInsert(VaCdsHooksDbContext db, IEntityType entityType, string? conflictKeyName, bool returningKey)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        // Every column the record holds, defaults included; only a key the database generates (identity) is left to it.
        _columns = [.. entityType.GetProperties().Where(p => !(p.IsPrimaryKey() && p.ValueGenerated != ValueGenerated.Never))];
        _getters = [.. _columns.Select(p => p.IsShadowProperty() ? null : p.GetGetter())];
        _shadowColumns = _columns.Index().Where(c => c.Item.IsShadowProperty()).ToDictionary(c => c.Item.Name, c => c.Index);
        var columnList = string.Join(", ", _columns.Select(p => sql.DelimitIdentifier(p.GetColumnName())));
        _into = $"INSERT INTO {sql.DelimitIdentifier(entityType.GetTableName()!, entityType.GetSchema())} ({columnList}) VALUES ";
        if (conflictKeyName is not null)
        {
            // The conflict target: a unique index or the primary key, by its database name.
            var conflictKey = entityType.GetIndexes().SingleOrDefault(i => i.IsUnique && i.GetDatabaseName() == conflictKeyName)?.Properties
                ?? entityType.GetKeys().Single(k => k.GetName() == conflictKeyName).Properties;
            _onConflictAndReturning += $" ON CONFLICT ({string.Join(", ", conflictKey.Select(p => sql.DelimitIdentifier(p.GetColumnName())))}) DO NOTHING";
        }

        _returningKey = returningKey;
        if (returningKey)
        {
            _onConflictAndReturning += " RETURNING " + sql.DelimitIdentifier(entityType.FindPrimaryKey()!.Properties.Single().GetColumnName());
        }
    }

    /// <summary>The statement inserting <paramref name="rows"/> rows: parameters @p0, @p1, ... row after row.</summary>
    public string Sql(int rows = 1) => _sqlByRowCount.GetOrAdd(rows, count =>
        _into + string.Join(", ", Enumerable.Range(0, count).Select(row => "(" + string.Join(", ", _columns.Select((_, i) => "@p" + (row * _columns.Length + i))) + ")")) + _onConflictAndReturning);

    /// <summary>The insert of <typeparamref name="TEntity"/>'s rows; with <paramref name="ifAbsent"/> (a unique index or key name) a conflicting row is skipped.</summary>
    public static MappedInsert For<TEntity>(VaCdsHooksDbContext db, string? ifAbsent = null, bool returningKey = false)
        where TEntity : class => For(db, db.Model.FindEntityType(typeof(TEntity))!, ifAbsent, returningKey);

    /// <summary>The insert of the rows an owned navigation of <typeparamref name="TOwner"/> maps to a table of their own.</summary>
    public static MappedInsert ForOwned<TOwner>(VaCdsHooksDbContext db, string navigation)
        where TOwner : class => For(db, db.Model.FindEntityType(typeof(TOwner))!.FindNavigation(navigation)!.TargetEntityType, null, false);

    private static MappedInsert For(VaCdsHooksDbContext db, IEntityType entityType, string? ifAbsent, bool returningKey) =>
        Cache.GetOrAdd((db.GetType(), entityType, ifAbsent, returningKey), key => new MappedInsert(db, (IEntityType)key.EntityType, key.ConflictKey, key.ReturningKey));

    /// <summary>Inserts one row in the context's current transaction; returns 1 when inserted, 0 when skipped as present.</summary>
    public async Task<int> ExecuteAsync(VaCdsHooksDbContext db, object row, CancellationToken cancellationToken)
    {
        await using var command = await PrepareAsync(db, cancellationToken).ConfigureAwait(false);
        return await command.Bind(row).ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A command inserting <paramref name="rows"/> rows at a time (bind each, execute, repeat), in the context's current
    /// transaction.
    /// </summary>
    public async Task<Command> PrepareAsync(VaCdsHooksDbContext db, CancellationToken cancellationToken, int rows = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        if (rows > 1 && _returningKey)
        {
            throw new InvalidOperationException("An insert that reads its generated key back inserts one row at a time.");
        }

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = Sql(rows);
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (db.Database.GetCommandTimeout() is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        var parameters = new DbParameter[rows * _columns.Length];
        var converters = new ValueConverter?[_columns.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            // The property's own type mapping sets the parameter's provider type; its converter turns values into
            // what that type holds (SQLite's UTC text timestamps, enum wire codes, JSON list columns).
            var column = _columns[i % _columns.Length];
            var mapping = column.GetRelationalTypeMapping();
            parameters[i] = mapping.CreateParameter(command, "@p" + i, null, column.IsNullable);
            converters[i % _columns.Length] = mapping.Converter;
            command.Parameters.Add(parameters[i]);
        }

        return new Command(this, db, command, parameters, converters);
    }

    /// <summary>
    /// Commands for however many rows each statement needs, each prepared on first use and reused after (rows of
    /// different owners, e.g. each assertion's criteria, in one transaction).
    /// </summary>
    public CommandsByRowCount PrepareByRowCount(VaCdsHooksDbContext db) => new(this, db);

    /// <summary>See <see cref="PrepareByRowCount"/>; disposing it disposes every command it prepared.</summary>
    public sealed class CommandsByRowCount(MappedInsert insert, VaCdsHooksDbContext db) : IAsyncDisposable
    {
        private readonly Dictionary<int, Command> _commands = [];

        public async ValueTask<Command> ForRowsAsync(int rows, CancellationToken cancellationToken)
        {
            if (!_commands.TryGetValue(rows, out var command))
            {
                _commands[rows] = command = await insert.PrepareAsync(db, cancellationToken, rows).ConfigureAwait(false);
            }

            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in _commands.Values)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One prepared insert; not thread-safe, like the context it runs on.</summary>
    public sealed class Command(MappedInsert insert, VaCdsHooksDbContext db, DbCommand command, DbParameter[] parameters, ValueConverter?[] converters) : IAsyncDisposable
    {
        /// <summary>
        /// Sets every mapped column of the statement's row <paramref name="at"/> (from 0) from <paramref name="row"/>;
        /// shadow columns (owned rows' keys) are set with <see cref="Shadow"/>.
        /// </summary>
        public Command Bind(object row, int at = 0)
        {
            for (var i = 0; i < insert._getters.Length; i++)
            {
                if (insert._getters[i] is { } getter)
                {
                    Set(at, i, getter.GetClrValue(row));
                }
            }

            return this;
        }

        /// <summary>Sets the shadow column of property <paramref name="propertyName"/> (a foreign key or ordinal EF keeps outside the record) of row <paramref name="at"/>.</summary>
        public Command Shadow(string propertyName, object? value, int at = 0)
        {
            Set(at, insert._shadowColumns.TryGetValue(propertyName, out var index) ? index : throw new ArgumentException($"'{propertyName}' is not a shadow column of this insert.", nameof(propertyName)), value);
            return this;
        }

        public Task<int> ExecuteAsync(CancellationToken cancellationToken) => command.ExecuteNonQueryAsync(cancellationToken);

        /// <summary>Runs an insert built with <c>returningKey</c> and returns the key the database generated.</summary>
        public async Task<long> ExecuteReturningKeyAsync(CancellationToken cancellationToken) =>
            Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);

        public async ValueTask DisposeAsync()
        {
            await command.DisposeAsync().ConfigureAwait(false);
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        private void Set(int row, int column, object? value)
        {
            parameters[(row * insert._columns.Length) + column].Value = (value is null || converters[column] is not { } converter ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
        }
    }
}
