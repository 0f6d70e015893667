using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>Tells a row the database refused (a constraint) from a database that could not answer.</summary>
internal static class StorageErrors
{
    private const int SqliteConstraint = 19;

    /// <summary>True for a unique, foreign-key, not-null or check violation, from a plain command or from SaveChanges.</summary>
    public static bool IsConstraintViolation(Exception exception) => exception switch
    {
        DbUpdateException update => update.InnerException is null || IsConstraintViolation(update.InnerException),
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint,
        // SQLSTATE class 23: integrity constraint violation (PostgreSQL and any ADO.NET provider that reports it).
        DbException db => db.SqlState?.StartsWith("23", StringComparison.Ordinal) == true,
        _ => false,
    };
}
