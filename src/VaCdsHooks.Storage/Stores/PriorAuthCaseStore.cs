using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class PriorAuthCaseStore(VaCdsHooksDbContextFactory contexts) : IPriorAuthCaseStore
{
    public const int MaxPageSize = 500;
    private const string AssertionKeyIndex = "ux_prior_auth_cases_assertion_id";

    // Every hook call asks this for each of its orders: compiled once per model (EF binds a compiled query to one, and
    // each provider has its own) rather than translated from LINQ per call.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<VaCdsHooksDbContext, string, string, CancellationToken, Task<PriorAuthCaseRecord?>>> LatestForOrder = new();

    private static Func<VaCdsHooksDbContext, string, string, CancellationToken, Task<PriorAuthCaseRecord?>> CompileLatestForOrder(Type context) =>
        EF.CompileAsyncQuery((VaCdsHooksDbContext db, string patientReference, string orderReference, CancellationToken _) =>
            db.Set<PriorAuthCaseRecord>()
                .Where(x => x.PatientReference == patientReference && x.OrderReference == orderReference)
                .OrderByDescending(x => x.CreatedAt).ThenByDescending(x => x.CaseId)
                .FirstOrDefault());

    public async Task<PriorAuthCaseCreation> CreateIfAbsentAsync(PriorAuthCaseRecord proposed, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentException.ThrowIfNullOrEmpty(proposed.AssertionId);
        ArgumentException.ThrowIfNullOrEmpty(proposed.PatientReference);
        ArgumentException.ThrowIfNullOrEmpty(proposed.OrderReference);
        var row = proposed with
        {
            CaseId = string.IsNullOrEmpty(proposed.CaseId) ? StoreIds.NewOpaqueId() : proposed.CaseId,
            PriorAuthNumber = StoreIds.NullIfEmpty(proposed.PriorAuthNumber),
            Version = 1,
        };

        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Checked here so a missing assertion is a clear error rather than a provider-specific foreign-key failure.
        if (!await db.Set<CoverageAssertionRecord>().AnyAsync(x => x.AssertionId == row.AssertionId, cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"Coverage assertion '{row.AssertionId}' does not exist; a case needs one.");
        }

        var inserted = await MappedInsert.For<PriorAuthCaseRecord>(db, ifAbsent: AssertionKeyIndex)
            .ExecuteAsync(db, row, cancellationToken).ConfigureAwait(false) == 1;
        if (inserted)
        {
            db.Add(CaseEvents.New(
                row.CaseId, row.CreatedAt, PriorAuthCaseEventKinds.Created, actor,
                $"Case created for coverage assertion {row.AssertionId} with status {row.Status.ToCode()}.",
                ("assertionId", row.AssertionId), ("status", row.Status.ToCode())));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        var stored = await db.Set<PriorAuthCaseRecord>().SingleAsync(x => x.AssertionId == row.AssertionId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PriorAuthCaseCreation(stored, inserted);
    }

    public Task<PriorAuthCaseRecord?> FindAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        return contexts.ReadFirstAsync<PriorAuthCaseRecord>(rows => rows.Where(x => x.CaseId == caseId), cancellationToken);
    }

    public Task<PriorAuthCaseRecord?> FindByAssertionAsync(string assertionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(assertionId);
        return contexts.ReadFirstAsync<PriorAuthCaseRecord>(rows => rows.Where(x => x.AssertionId == assertionId), cancellationToken);
    }

    public Task<PriorAuthCaseRecord?> FindLatestForOrderAsync(string patientReference, string orderReference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        ArgumentException.ThrowIfNullOrEmpty(orderReference);
        return contexts.RunAsync(db => LatestForOrder.GetOrAdd(db.GetType(), CompileLatestForOrder)(db, patientReference, orderReference, cancellationToken));
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
        var eventRow = NewEventRow(caseEvent);
        if (eventRow.CaseId != updated.CaseId)
        {
            throw new ArgumentException($"The event is for case '{eventRow.CaseId}', not '{updated.CaseId}'.", nameof(caseEvent));
        }

        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var row = await LoadForUpdateAsync(db, updated.CaseId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (row.AssertionId != updated.AssertionId || row.PatientReference != updated.PatientReference
            || row.OrderReference != updated.OrderReference || row.CreatedAt != updated.CreatedAt)
        {
            throw new ArgumentException($"Case '{row.CaseId}': assertion, patient, order and created-at cannot change.", nameof(updated));
        }

        // Identity fields were checked above; the version is the store's to set.
        db.Entry(row).CurrentValues.SetValues(updated with { PriorAuthNumber = StoreIds.NullIfEmpty(updated.PriorAuthNumber), Version = expectedVersion + 1 });
        db.Add(eventRow);

        if (processedResponseId is not null)
        {
            var response = await db.Set<QuestionnaireResponseRecord>().AsTracking()
                .SingleOrDefaultAsync(x => x.Id == processedResponseId && x.CaseId == row.CaseId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"QuestionnaireResponse '{processedResponseId}' does not exist for case '{row.CaseId}'.");
            if (response.ProcessingState == QuestionnaireResponseProcessingState.Processed)
            {
                // A second run of the same job: its result is already applied, so this one must not apply again.
                throw new QuestionnaireResponseAlreadyProcessedException(processedResponseId);
            }

            db.Entry(response).CurrentValues.SetValues(response with
            {
                ProcessingState = QuestionnaireResponseProcessingState.Processed,
                ProcessedAt = updated.UpdatedAt,
                Attempts = response.Attempts + 1,
            });
        }

        await SaveCaseChangesAsync(db, row.CaseId, expectedVersion, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return row;
    }

    public async Task<PriorAuthCaseQueuePage> QueryQueueAsync(PriorAuthCaseQueueQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, MaxPageSize);

        await using var db = contexts.CreateDbContext();
        var cases = db.Set<PriorAuthCaseRecord>().AsQueryable();
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
        var counted = await cases.GroupBy(x => x.Status).Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken).ConfigureAwait(false);
        var countsByStatus = Enum.GetValues<PriorAuthCaseStatus>().ToDictionary(s => s, counted.GetValueOrDefault);

        var wanted = query.Statuses.Distinct().ToList();
        if (wanted.Count > 0)
        {
            cases = cases.Where(x => wanted.Contains(x.Status));
        }

        var totalCount = wanted.Count > 0 ? wanted.Sum(s => countsByStatus[s]) : countsByStatus.Values.Sum();

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

        var items = rows.Take(query.PageSize).ToList();
        var next = rows.Count > query.PageSize ? new PriorAuthCaseQueueCursor(items[^1].CreatedAt, items[^1].CaseId) : null;
        return new PriorAuthCaseQueuePage(items, totalCount, countsByStatus, next);
    }

    public async Task<PriorAuthCaseEventRecord> AppendEventAsync(PriorAuthCaseEventRecord caseEvent, CancellationToken cancellationToken = default)
    {
        var row = NewEventRow(caseEvent);
        await using var db = contexts.CreateDbContext();
        if (!await db.Set<PriorAuthCaseRecord>().AnyAsync(x => x.CaseId == row.CaseId, cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"Prior-auth case '{row.CaseId}' does not exist.");
        }

        db.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return row;
    }

    public Task<IReadOnlyList<PriorAuthCaseEventRecord>> ListEventsAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        return contexts.ReadListAsync<PriorAuthCaseEventRecord>(
            rows => rows.Where(x => x.CaseId == caseId).OrderBy(x => x.At).ThenBy(x => x.Id), cancellationToken);
    }

    /// <summary>A checked copy to insert: the database assigns the id, and the caller's record stays as it was.</summary>
    internal static PriorAuthCaseEventRecord NewEventRow(PriorAuthCaseEventRecord caseEvent)
    {
        ArgumentNullException.ThrowIfNull(caseEvent);
        ArgumentException.ThrowIfNullOrEmpty(caseEvent.CaseId);
        ArgumentException.ThrowIfNullOrEmpty(caseEvent.Kind);
        ArgumentException.ThrowIfNullOrEmpty(caseEvent.Actor);
        ArgumentNullException.ThrowIfNull(caseEvent.Summary);
        return caseEvent with { Id = 0 };
    }

    /// <summary>
    /// Loads the case tracked and fails fast when its version is not the expected one. The version is also the EF
    /// concurrency token, so a change committed between this read and SaveChanges is caught there
    /// (see <see cref="SaveCaseChangesAsync"/>).
    /// </summary>
    internal static async Task<PriorAuthCaseRecord> LoadForUpdateAsync(VaCdsHooksDbContext db, string caseId, long expectedVersion, CancellationToken cancellationToken)
    {
        var row = await db.Set<PriorAuthCaseRecord>().AsTracking().SingleOrDefaultAsync(x => x.CaseId == caseId, cancellationToken).ConfigureAwait(false)
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
