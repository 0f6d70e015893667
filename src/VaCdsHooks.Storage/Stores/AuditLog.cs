using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

/// <summary>Insert only; auditors read audit_events in the database. On PostgreSQL a trigger also rejects UPDATE, DELETE and TRUNCATE.</summary>
internal sealed class AuditLog(VaCdsHooksDbContextFactory contexts) : IAuditLog
{
    public Task<AuditEventRecord> AppendAsync(AuditEventRecord entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.ActorUserId);
        ArgumentException.ThrowIfNullOrEmpty(entry.ActorRole);
        ArgumentException.ThrowIfNullOrEmpty(entry.Action);
        // A copy: the database assigns the id, and the caller's record stays as it was.
        return contexts.AddAsync(entry with { Id = 0 }, cancellationToken);
    }
}
