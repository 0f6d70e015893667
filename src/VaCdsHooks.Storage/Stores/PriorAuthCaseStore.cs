using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class PriorAuthCaseStore(VaCdsHooksDbContextFactory contexts) : IPriorAuthCaseStore
{
    public const int MaxPageSize = 500;
    private const string AssertionKeyIndex = "ux_prior_auth_cases_assertion_id";

    public async Task<PriorAuthCaseCreation> CreateIfAbsentAsync(PriorAuthCaseRecord proposed, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var row = RecordMapping.ToEntity(proposed, string.IsNullOrEmpty(proposed.CaseId) ? StoreIds.NewOpaqueId() : proposed.CaseId);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Checked here so a missing assertion is a clear error rather than a provider-specific foreign-key failure.
        if (!await db.Set<CoverageAssertionEntity>().AnyAsync(x => x.AssertionId == row.AssertionId, cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"Coverage assertion '{row.AssertionId}' does not exist; a case needs one.");
        }

        var inserted = await InsertIfAbsentStatement<PriorAuthCaseEntity>.For(db, AssertionKeyIndex)
            .ExecuteAsync(db, row, cancellationToken).ConfigureAwait(false) == 1;
        if (inserted)
        {
            db.Add(new PriorAuthCaseEventEntity
            {
                CaseId = row.CaseId,
                At = row.CreatedAt,
                Kind = PriorAuthCaseEventKinds.Created,
                Actor = actor,
                Summary = $"Case created for coverage assertion {row.AssertionId} with status {row.Status}.",
                DetailJson = EventDetailJson.Of(("assertionId", row.AssertionId), ("status", row.Status)),
            });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        var stored = await db.Set<PriorAuthCaseEntity>().AsNoTracking()
            .SingleAsync(x => x.AssertionId == row.AssertionId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PriorAuthCaseCreation(RecordMapping.ToRecord(stored), inserted);
    }

    public async Task<PriorAuthCaseRecord?> FindAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<PriorAuthCaseEntity>().AsNoTracking()
            .SingleOrDefaultAsync(x => x.CaseId == caseId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }

    public async Task<PriorAuthCaseRecord?> FindByAssertionAsync(string assertionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(assertionId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<PriorAuthCaseEntity>().AsNoTracking()
            .SingleOrDefaultAsync(x => x.AssertionId == assertionId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }

    public async Task<PriorAuthCaseRecord?> FindLatestForOrderAsync(string patientReference, string orderReference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        ArgumentException.ThrowIfNullOrEmpty(orderReference);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<PriorAuthCaseEntity>().AsNoTracking()
            .Where(x => x.PatientReference == patientReference && x.OrderReference == orderReference)
            .OrderByDescending(x => x.CreatedAt).ThenByDescending(x => x.CaseId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }

    public async Task<PriorAuthCaseRecord> UpdateAsync(
        PriorAuthCaseRecord updated,
        long expectedVersion,
        PriorAuthCaseEventRecord caseEvent,
        string? processedResponseId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentException.ThrowIfNullOrEmpty(updated.CaseId);
        var eventRow = RecordMapping.ToEntity(caseEvent);
        if (eventRow.CaseId != updated.CaseId)
        {
            throw new ArgumentException($"The event is for case '{eventRow.CaseId}', not '{updated.CaseId}'.", nameof(caseEvent));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var row = await LoadForUpdateAsync(db, updated.CaseId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (row.AssertionId != updated.AssertionId || row.PatientReference != updated.PatientReference
            || row.OrderReference != updated.OrderReference || row.CreatedAt != updated.CreatedAt)
        {
            throw new ArgumentException($"Case '{row.CaseId}': assertion, patient, order and created-at cannot change.", nameof(updated));
        }

        RecordMapping.ApplyMutableFields(updated, row);
        row.Version = expectedVersion + 1;
        db.Add(eventRow);

        if (processedResponseId is not null)
        {
            var response = await db.Set<QuestionnaireResponseEntity>()
                .SingleOrDefaultAsync(x => x.Id == processedResponseId && x.CaseId == row.CaseId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"QuestionnaireResponse '{processedResponseId}' does not exist for case '{row.CaseId}'.");
            if (response.ProcessingState == QuestionnaireResponseStore.ProcessedCode)
            {
                // A second run of the same job: its result is already applied, so this one must not apply again.
                throw new QuestionnaireResponseAlreadyProcessedException(processedResponseId);
            }

            response.ProcessingState = QuestionnaireResponseStore.ProcessedCode;
            response.ProcessedAt = updated.UpdatedAt;
            response.Attempts++;
        }

        await SaveCaseChangesAsync(db, row.CaseId, expectedVersion, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return RecordMapping.ToRecord(row);
    }

    public async Task<PriorAuthCaseQueuePage> QueryQueueAsync(PriorAuthCaseQueueQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, MaxPageSize);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var cases = db.Set<PriorAuthCaseEntity>().AsNoTracking();
        if (query.IndicationLabel is not null)
        {
            var indication = query.IndicationLabel;
            cases = cases.Where(x => x.IndicationLabel == indication);
        }

        if (query.MinAge is { } minAge)
        {
            var createdAtOrBefore = query.Now - minAge;
            cases = cases.Where(x => x.CreatedAt <= createdAtOrBefore);
        }

        if (query.MaxAge is { } maxAge)
        {
            var createdAtOrAfter = query.Now - maxAge;
            cases = cases.Where(x => x.CreatedAt >= createdAtOrAfter);
        }

        // Counted before the status filter so every status tab can show its count.
        var grouped = await cases.GroupBy(x => x.Status).Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var countsByStatus = Enum.GetValues<PriorAuthCaseStatus>().ToDictionary(s => s, _ => 0);
        foreach (var group in grouped)
        {
            countsByStatus[RecordMapping.ParseCaseStatus(group.Status, "(queue count)")] = group.Count;
        }

        var statuses = query.Statuses ?? [];
        if (statuses.Count > 0)
        {
            var codes = statuses.Select(s => s.ToCode()).Distinct().ToList();
            cases = cases.Where(x => codes.Contains(x.Status));
        }

        var totalCount = statuses.Count > 0 ? statuses.Distinct().Sum(s => countsByStatus[s]) : countsByStatus.Values.Sum();

        if (query.After is { } after)
        {
            var createdAt = after.CreatedAt;
            var caseId = after.CaseId;
            cases = query.Sort == QueueSortOrder.Newest
                ? cases.Where(x => x.CreatedAt < createdAt || (x.CreatedAt == createdAt && string.Compare(x.CaseId, caseId) < 0))
                : cases.Where(x => x.CreatedAt > createdAt || (x.CreatedAt == createdAt && string.Compare(x.CaseId, caseId) > 0));
        }

        var ordered = query.Sort == QueueSortOrder.Newest
            ? cases.OrderByDescending(x => x.CreatedAt).ThenByDescending(x => x.CaseId)
            : cases.OrderBy(x => x.CreatedAt).ThenBy(x => x.CaseId);
        // One extra row tells whether another page exists.
        var rows = await ordered.Take(query.PageSize + 1).ToListAsync(cancellationToken).ConfigureAwait(false);

        var items = rows.Take(query.PageSize).Select(RecordMapping.ToRecord).ToList();
        var next = rows.Count > query.PageSize ? new PriorAuthCaseQueueCursor(items[^1].CreatedAt, items[^1].CaseId) : null;
        return new PriorAuthCaseQueuePage(items, totalCount, countsByStatus, next);
    }

    public async Task<PriorAuthCaseEventRecord> AppendEventAsync(PriorAuthCaseEventRecord caseEvent, CancellationToken cancellationToken = default)
    {
        var row = RecordMapping.ToEntity(caseEvent);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (!await db.Set<PriorAuthCaseEntity>().AnyAsync(x => x.CaseId == row.CaseId, cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"Prior-auth case '{row.CaseId}' does not exist.");
        }

        db.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return RecordMapping.ToRecord(row);
    }

    public async Task<IReadOnlyList<PriorAuthCaseEventRecord>> ListEventsAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<PriorAuthCaseEventEntity>().AsNoTracking()
            .Where(x => x.CaseId == caseId)
            .OrderBy(x => x.At).ThenBy(x => x.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }

    /// <summary>
    /// Loads the case tracked and fails fast when its version is not the expected one. The version is also the EF
    /// concurrency token, so a change committed between this read and SaveChanges is caught there
    /// (see <see cref="SaveCaseChangesAsync"/>).
    /// </summary>
    internal static async Task<PriorAuthCaseEntity> LoadForUpdateAsync(VaCdsHooksDbContext db, string caseId, long expectedVersion, CancellationToken cancellationToken)
    {
        var row = await db.Set<PriorAuthCaseEntity>().SingleOrDefaultAsync(x => x.CaseId == caseId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Prior-auth case '{caseId}' does not exist.");
        if (row.Version != expectedVersion)
        {
            throw new CaseConcurrencyException(caseId, expectedVersion, row.Version);
        }

        return row;
    }

    internal static async Task SaveCaseChangesAsync(VaCdsHooksDbContext db, string caseId, long expectedVersion, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new CaseConcurrencyException(caseId, expectedVersion, currentVersion: null, ex);
        }
    }
}
