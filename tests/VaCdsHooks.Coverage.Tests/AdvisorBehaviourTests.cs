using System.Diagnostics;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests;

/// <summary>Determinism, stored assertions and speed.</summary>
public class AdvisorBehaviourTests
{
    [Fact]
    public void Same_inputs_and_policy_version_give_the_same_determination_and_evidence_hash()
    {
        var first = Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), Orders.Procedure("22513")).Assertions.Single();
        var second = Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), Orders.Procedure("22513")).Assertions.Single();

        Assert.Equal(first.Covered, second.Covered);
        Assert.Equal(first.EvidenceHash, second.EvidenceHash);
        Assert.Equal(first.Criteria.Select(c => (c.CriterionId, c.Status, c.Explanation)), second.Criteria.Select(c => (c.CriterionId, c.Status, c.Explanation)));
        Assert.Matches("^[0-9a-f]{64}$", first.EvidenceHash);
    }

    [Fact]
    public void Different_evidence_gives_a_different_hash()
    {
        var before = Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513")).Assertions.Single();
        var after = Engine.Advise(Chart.CoveredThoracicFracture().PainScore(6, "2026-11-20"), Orders.Procedure("22513")).Assertions.Single();
        Assert.Equal(before.Covered, after.Covered);
        Assert.NotEqual(before.EvidenceHash, after.EvidenceHash);
    }

    [Fact]
    public void Resource_order_in_the_record_does_not_change_the_result()
    {
        var chart = Chart.CoveredThoracicFracture().Condition("M48.061");
        var reversed = Chart.Empty();
        foreach (var resource in chart.Resources.Reverse())
        {
            reversed.Add(resource);
        }

        var a = Engine.Advise(chart, Orders.Procedure("22513")).Assertions.Single();
        var b = Engine.Advise(reversed, Orders.Procedure("22513")).Assertions.Single();
        Assert.Equal(a.EvidenceHash, b.EvidenceHash);
        Assert.Equal(a.Criteria.Select(c => c.Explanation), b.Criteria.Select(c => c.Explanation));
    }

    [Fact]
    public void Assertion_stores_policy_version_order_coverage_and_every_criterion()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513"));
        var assertion = answer.Assertions.Single();
        Assert.Equal("A-1", assertion.AssertionId);
        Assert.Equal("Patient/pat-1", assertion.PatientReference);
        Assert.Equal("ServiceRequest/sr-22513", assertion.OrderReference);
        Assert.Equal("Coverage/cov-1", assertion.CoverageReference);
        Assert.Equal(Policy.PolicySettings.Default.PolicyVersion, assertion.PolicyVersion);
        Assert.Equal(("covered", "satisfied", "PA-1"), (assertion.Covered, assertion.PaNeeded, assertion.SatisfiedPaId));
        Assert.Equal(Engine.Now, assertion.Date);
        Assert.Equal(global::VaCdsHooks.Coverage.Criteria.CriteriaEvaluator.All.Count, assertion.Criteria.Count);
        Assert.Equal(6, assertion.Criteria.Count(c => c.KindCode == "exclusion"));
        Assert.All(assertion.Criteria.Where(c => c.KindCode == "exclusion"), c => Assert.Equal("ruled-out", c.StatusCode));
        Assert.Contains("Condition/fracture", assertion.Criteria.Single(c => c.CriterionId == "indication").EvidenceReferences);
    }

    [Fact]
    public void Conditional_assertion_records_the_questionnaire_the_dtr_service_will_serve()
    {
        var assertion = Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), Orders.Procedure("22513")).Assertions.Single();
        Assert.Equal(("conditional", "auth-needed", "clinical"), (assertion.Covered, assertion.PaNeeded, assertion.DocNeeded));
        Assert.Equal(Policy.PolicySettings.Default.QuestionnaireCanonical, assertion.QuestionnaireCanonical);
        Assert.Equal("unknown", assertion.Criteria.Single(c => c.CriterionId == "pain-impairment").StatusCode);
    }

    [Fact]
    public void Stored_results_carry_the_flags_the_documentation_step_acts_on()
    {
        var assertion = Engine.Advise(Chart.CoveredThoracicFracture().Condition("M48.061"), Orders.Procedure("22513")).Assertions.Single();
        var imaging = assertion.Criteria.Single(c => c.CriterionId == "imaging-ruled-out");
        Assert.Equal("unknown", imaging.StatusCode);
        Assert.Equal(["competing-pain-generator"], imaging.Flags);
        Assert.Empty(assertion.Criteria.Single(c => c.CriterionId == "indication").Flags);
    }

    [Fact]
    public void One_advisor_serves_parallel_calls_with_identical_results()
    {
        var advisor = new CoverageAdvisor(TestPolicy.Default, new RandomAssertionIdSource());
        var hashes = Enumerable.Range(0, 64).AsParallel().Select(_ =>
            advisor.Advise(new CoverageRequest(CrdHooks.OrderSign, Chart.CoveredThoracicFracture().Record(), [Orders.Procedure("22513")], Engine.Now, CrdRequestOptions.Default))
                .Assertions.Single())
            .ToList();
        Assert.Single(hashes.Select(h => h.EvidenceHash).Distinct());
        Assert.Equal(64, hashes.Select(h => h.AssertionId).Distinct().Count());
    }

    [Fact]
    public void Random_ids_are_unique_and_opaque()
    {
        var ids = new RandomAssertionIdSource();
        var assertionIds = Enumerable.Range(0, 1000).Select(_ => ids.NewAssertionId()).ToList();
        Assert.Equal(1000, assertionIds.Distinct().Count());
        Assert.All(assertionIds, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.True(Guid.TryParse(ids.NewCardUuid(), out _));
        Assert.NotEqual(ids.NewSatisfiedPaId(), ids.NewSatisfiedPaId());
    }

    [Fact]
    public void Random_ids_are_version_4_uuids_never_repeated_across_threads()
    {
        var ids = new RandomAssertionIdSource();
        var uuids = Enumerable.Range(0, 4000).AsParallel().Select(_ => ids.NewCardUuid()).ToList();

        Assert.Equal(uuids.Count, uuids.Distinct().Count());

        // RFC 9562: version nibble 4, variant bits 10.
        Assert.All(uuids, uuid => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", uuid));
        Assert.Matches("^VA[0-9A-F]{32}$", ids.NewSatisfiedPaId());
    }

    [Fact]
    public void Evidence_hash_is_the_sha256_of_the_canonical_lines_with_evidence_in_ordinal_order()
    {
        var order = OrderScope.Find(TestPolicy.Default, [Orders.Procedure("22513")], Engine.Now).Single();
        // Items whose fields are prefixes of each other, and a value holding a line break (below the separator).
        IReadOnlyList<EvidenceItem> evidence =
        [
            new("Observation/a1", Value: "7/10"),
            new("Observation/a", Value: "7/10\nrecheck"),
            new("Observation/a", Value: "7/10"),
            new("Observation/a", Value: "7/10", Date: "2026-11-01"),
            new("Condition/c", "http://hl7.org/fhir/sid/icd-10-cm", "M80.08XA", AttestedBy: "Dr. Ramos"),
        ];
        IReadOnlyList<CriterionResult> criteria =
        [
            new("pain", "Pain", CriterionKind.Inclusion, CriterionStatus.Met, "Pain 7/10.", evidence),
            new("indication", "Indication", CriterionKind.Inclusion, CriterionStatus.Unknown, "Not documented.", []),
            new("healed-fracture", "Healed", CriterionKind.Exclusion, CriterionStatus.NotMet, "Ruled out.", evidence.Take(2).ToList()),
        ];

        // The definition, written out: one line per field group, fields joined by U+001E, evidence fields by U+001F.
        static string Canonical(EvidenceItem e) => string.Join('\u001f', e.Reference, e.System ?? "", e.Code ?? "", e.Value ?? "", e.Date ?? "", e.AttestedBy ?? "");
        var text = new System.Text.StringBuilder()
            .Append("policy\u001epolicy-id\u001e2\n")
            .Append($"order\u001e{order.Reference}\u001e{order.Procedure.System}\u001e22513\u001e{order.OrderDate:yyyy-MM-dd}\n")
            .Append("coverage\u001eCoverage/cov-1\n")
            .Append("covered\u001econditional\n");
        foreach (var criterion in criteria.OrderBy(c => c.CriterionId, StringComparer.Ordinal))
        {
            text.Append($"criterion\u001e{criterion.CriterionId}\u001e{criterion.StatusCode}\n");
            foreach (var line in criterion.Evidence.Select(Canonical).Order(StringComparer.Ordinal))
            {
                text.Append("evidence\u001e").Append(line).Append('\n');
            }
        }

        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
        Assert.Equal(expected, EvidenceHash.Compute("policy-id", "2", order, "Coverage/cov-1", "conditional", criteria));
    }
}
