using Hl7.Fhir.Model;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Dtr;

/// <summary>A stored coverage assertion with the chart and the order it was decided on.</summary>
public sealed record AssertionContext(CoverageAssertion Assertion, PatientRecord Record, Resource Order);

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
        var order = orders.FirstOrDefault(o => o.TypeName + "/" + o.Id == stored.OrderReference);
        return order is null ? null : new AssertionContext(ToDomain(stored), record, order);
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
            c.Kind == CriterionKind.Exclusion ? "exclusion" : "inclusion",
            c.Status,
            c.Explanation ?? "",
            c.EvidenceReferences) { Flags = c.Flags }).ToList());
}
