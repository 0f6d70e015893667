using Hl7.Fhir.Model;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Dtr;

/// <summary>A stored coverage assertion with the chart and the order it was decided on.</summary>
/// <param name="ClientIssuer">The EHR client whose hook call made the assertion; only it may document it.</param>
/// <param name="Orders">Every order of that hook call (an add-on line is decided beside its primary).</param>
public sealed record AssertionContext(CoverageAssertion Assertion, PatientRecord Record, Resource Order, string? ClientIssuer = null)
{
    public IReadOnlyList<Resource> Orders { get; init; } = [Order];
}

/// <summary>Reads an assertion back as the domain knows it: the stored row, and the chart kept with its hook call.</summary>
public sealed class AssertionContextLoader(ICoverageAssertionStore assertions, IHookExchangeLogReader exchanges)
{
    public async Task<AssertionContext?> LoadAsync(string assertionId, CancellationToken cancellationToken)
    {
        var stored = await assertions.FindAsync(assertionId, cancellationToken);
        if (stored?.HookInstance is null)
        {
            return null;
        }

        var chart = (await exchanges.FindByHookInstanceAsync(stored.HookInstance, cancellationToken))
            .Select(e => e.RecordBundle)
            .FirstOrDefault(b => b is not null);
        if (chart is null)
        {
            return null;
        }

        var patientId = stored.PatientReference.StartsWith("Patient/", StringComparison.Ordinal) ? stored.PatientReference["Patient/".Length..] : stored.PatientReference;
        var (record, orders) = StoredChart.Read(chart, patientId);
        // Orders are named the one way the engine names them (an order without an id by its position).
        var order = orders.Where((o, index) => OrderScope.ReferenceOf(o, index) == stored.OrderReference).FirstOrDefault();
        return order is null ? null : new AssertionContext(ToDomain(stored), record, order, stored.ClientIssuer) { Orders = orders };
    }

    public static CoverageAssertion ToDomain(CoverageAssertionRecord stored) => new(
        stored.AssertionId,
        stored.CreatedAt,
        stored.PatientReference,
        stored.OrderReference,
        stored.CoverageReference,
        stored.PolicyVersion,
        stored.Covered,
        stored.PaNeeded,
        stored.DocNeeded,
        stored.SatisfiedPaId,
        stored.QuestionnaireCanonical,
        stored.EvidenceHash,
        stored.Criteria.Select(c => new StoredCriterionResult(
            c.CriterionId,
            c.Kind == VaCdsHooks.Storage.CriterionKind.Exclusion ? Coverage.Criteria.CriterionKind.Exclusion : Coverage.Criteria.CriterionKind.Inclusion,
            CriterionCodesOf.ParseStatus(c.Status),
            c.Explanation ?? "",
            c.EvidenceReferences) { Flags = c.Flags }).ToList());
}
