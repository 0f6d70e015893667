using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class CoverageAssertionStore(VaCdsHooksDbContextFactory contexts) : ICoverageAssertionStore
{
    public async Task<CoverageAssertionRecord?> FindAsync(string assertionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(assertionId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<CoverageAssertionEntity>().AsNoTracking()
            .Include(x => x.Criteria)
            .SingleOrDefaultAsync(x => x.AssertionId == assertionId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }

    public async Task<CoverageAssertionRecord?> FindLatestForOrderAsync(string patientReference, string orderReference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        ArgumentException.ThrowIfNullOrEmpty(orderReference);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<CoverageAssertionEntity>().AsNoTracking()
            .Where(x => x.PatientReference == patientReference && x.OrderReference == orderReference)
            .OrderByDescending(x => x.CreatedAt).ThenByDescending(x => x.AssertionId)
            .Include(x => x.Criteria)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }
}
