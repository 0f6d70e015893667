using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class CoverageAssertionStore(VaCdsHooksDbContextFactory contexts) : ICoverageAssertionStore
{
    public Task<CoverageAssertionRecord?> FindAsync(string assertionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(assertionId);
        return contexts.ReadFirstAsync<CoverageAssertionRecord>(rows => WithCriteriaInOrder(rows).Where(x => x.AssertionId == assertionId), cancellationToken);
    }

    public Task<CoverageAssertionRecord?> FindLatestForOrderAsync(string patientReference, string orderReference, CancellationToken cancellationToken = default, bool askedForDocumentation = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        ArgumentException.ThrowIfNullOrEmpty(orderReference);
        return contexts.ReadFirstAsync<CoverageAssertionRecord>(
            rows => WithCriteriaInOrder(rows).Where(x => x.PatientReference == patientReference && x.OrderReference == orderReference)
                .Where(x => !askedForDocumentation || x.DocNeeded != null)
                .OrderByDescending(x => x.CreatedAt).ThenByDescending(x => x.AssertionId),
            cancellationToken);
    }

    // Owned rows come back in no promised order; the position they were written in is their key's second half.
    private static IQueryable<CoverageAssertionRecord> WithCriteriaInOrder(IQueryable<CoverageAssertionRecord> rows) =>
        rows.Include(x => x.Criteria.OrderBy(c => EF.Property<int>(c, CoverageAssertionConfiguration.CriterionOrdinal)));
}
