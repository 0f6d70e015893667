using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

/// <summary>Insert and read only. On PostgreSQL a trigger also rejects UPDATE, DELETE and TRUNCATE of audit_events.</summary>
internal sealed class AuditLog(VaCdsHooksDbContextFactory contexts) : IAuditLog
{
    public const int MaxPageSize = 500;

    public Task<AuditEventRecord> AppendAsync(AuditEventRecord entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.ActorUserId);
        ArgumentException.ThrowIfNullOrEmpty(entry.ActorRole);
        ArgumentException.ThrowIfNullOrEmpty(entry.Action);
        // A copy: the database assigns the id, and the caller's record stays as it was.
        return contexts.AddAsync(entry with { Id = 0 }, cancellationToken);
    }

    public async Task<AuditEventPage> QueryAsync(AuditEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, MaxPageSize);

        var rows = await contexts.ReadListAsync<AuditEventRecord>(
            events =>
            {
                if (query.ActorUserId is { } actor)
                {
                    events = events.Where(x => x.ActorUserId == actor);
                }

                if (query.PatientReference is { } patient)
                {
                    events = events.Where(x => x.PatientReference == patient);
                }

                if (query.CaseId is { } caseId)
                {
                    events = events.Where(x => x.CaseId == caseId);
                }

                if (query.From is { } from)
                {
                    events = events.Where(x => x.At >= from);
                }

                if (query.To is { } to)
                {
                    events = events.Where(x => x.At < to);
                }

                if (query.After is { } after)
                {
                    var (at, id) = (after.At, after.Id);
                    events = events.Where(x => x.At < at || (x.At == at && x.Id < id));
                }

                return events.OrderByDescending(x => x.At).ThenByDescending(x => x.Id).Take(query.PageSize + 1);
            },
            cancellationToken).ConfigureAwait(false);
        var items = rows.Take(query.PageSize).ToList();
        var next = rows.Count > query.PageSize ? new AuditEventPageCursor(items[^1].At, items[^1].Id) : null;
        return new AuditEventPage(items, next);
    }
}
