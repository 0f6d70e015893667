using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>The model on SQLite; its migrations live in Migrations/Sqlite.</summary>
public sealed class SqliteVaCdsHooksDbContext(DbContextOptions<SqliteVaCdsHooksDbContext> options)
    : VaCdsHooksDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no timestamp type and EF cannot order or compare DateTimeOffset stored its default way;
        // fixed-width UTC ISO-8601 text sorts by instant and stays readable in the sqlite3 shell.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcIso8601TextConverter>().HaveMaxLength(28);
    }
}

/// <summary>The model on PostgreSQL; its migrations live in Migrations/Postgres.</summary>
public sealed class PostgresVaCdsHooksDbContext(DbContextOptions<PostgresVaCdsHooksDbContext> options)
    : VaCdsHooksDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Npgsql writes DateTimeOffset to timestamptz only with offset 0; normalize instead of failing on a caller's local offset.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
    }
}

internal sealed class UtcIso8601TextConverter() : ValueConverter<DateTimeOffset, string>(
    value => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture),
    text => new DateTimeOffset(DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero))
{
    internal const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
}

internal sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    value => value.ToUniversalTime(),
    stored => stored);
