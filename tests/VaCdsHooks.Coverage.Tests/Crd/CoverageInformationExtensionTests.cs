using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;
using Sub = VaCdsHooks.Coverage.Crd.CrdCodes.Sub;

namespace VaCdsHooks.Coverage.Tests.Crd;

/// <summary>
/// The coverage-information extension as the EHR parses it (CRD STU 2.0.1 StructureDefinition-ext-coverage-information;
/// invariants crd-ci-q1..q5 and the version-safe choices in standards.md).
/// </summary>
public class CoverageInformationExtensionTests
{
    private static readonly string[] CrdSubExtensions =
    [
        "coverage", "covered", "pa-needed", "doc-needed", "doc-purpose", "info-needed", "billingCode", "reason", "detail",
        "dependency", "questionnaire", "response", "date", "coverage-assertion-id", "satisfied-pa-id", "contact", "expiry-date",
    ];

    [Fact]
    public void Covered_order_carries_satisfied_prior_authorization_with_a_pa_number()
    {
        var extension = Assert.Single(CrdJson.CoverageInformation(Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513")).Response));

        Assert.Equal("Coverage/cov-1", extension.Value<ResourceReference>(Sub.Coverage).Reference);
        Assert.Equal("covered", extension.Code(Sub.Covered));
        Assert.Equal("satisfied", extension.Code(Sub.PaNeeded));
        Assert.Equal("PA-1", extension.Value<FhirString>(Sub.SatisfiedPaId).Value);
        Assert.Equal("A-1", extension.Value<FhirString>(Sub.CoverageAssertionId).Value);
        Assert.Equal("2026-11-24", extension.Value<Date>(Sub.Date).Value);
        Assert.Empty(extension.Subs(Sub.DocNeeded));
        Assert.Empty(extension.Subs(Sub.DocPurpose));
        Assert.Empty(extension.Subs(Sub.Questionnaire));
        var reason = extension.Value<CodeableConcept>(Sub.Reason);
        Assert.Equal(CodeSystems.Criterion, reason.Coding.Single().System);
        Assert.Equal(CriterionCodes.AllCriteriaMet, reason.Coding.Single().Code);
        Assert.False(string.IsNullOrWhiteSpace(reason.Text));
    }

    [Fact]
    public void Conditional_order_on_a_primary_hook_asks_for_clinical_documentation_with_the_questionnaire()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), Orders.Procedure("22513"));
        var extension = Assert.Single(CrdJson.CoverageInformation(answer.Response));

        Assert.Equal("conditional", extension.Code(Sub.Covered));
        Assert.Equal("auth-needed", extension.Code(Sub.PaNeeded));
        Assert.Equal("clinical", extension.Code(Sub.DocNeeded));
        Assert.Equal("withpa", extension.Code(Sub.DocPurpose));
        Assert.Equal("http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation", extension.Value<Canonical>(Sub.Questionnaire).Value);
        Assert.Empty(extension.Subs(Sub.SatisfiedPaId));
        Assert.Empty(extension.Subs(Sub.InfoNeeded));
        Assert.Equal(CriterionCodes.DocumentationNeeded, extension.Value<CodeableConcept>(Sub.Reason).Coding.Single().Code);
    }

    [Fact]
    public void Questionnaire_version_setting_sends_a_versioned_canonical()
    {
        var policy = TestPolicy.With(s => s.QuestionnaireVersion = "2025.1");
        var answer = Engine.Advise(policy, Chart.CoveredThoracicFracture().Without("Observation/odi"), CrdHooks.OrderSign, CrdRequestOptions.Default, Orders.Procedure("22513"));
        var extension = Assert.Single(CrdJson.CoverageInformation(answer.Response));
        Assert.EndsWith("vertebral-augmentation-documentation|2025.1", extension.Value<Canonical>(Sub.Questionnaire).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_covered_order_has_no_prior_authorization_and_states_a_reason()
    {
        var extension = Assert.Single(CrdJson.CoverageInformation(Engine.Advise(Chart.CoveredThoracicFracture().Condition("G95.20"), Orders.Procedure("22513")).Response));
        Assert.Equal("not-covered", extension.Code(Sub.Covered));
        Assert.Empty(extension.Subs(Sub.PaNeeded));
        Assert.Empty(extension.Subs(Sub.DocNeeded));
        Assert.Empty(extension.Subs(Sub.SatisfiedPaId));
        var reason = extension.Value<CodeableConcept>(Sub.Reason);
        Assert.Equal(CriterionCodes.ExclusionPresent, reason.Coding.Single().Code);
        Assert.Contains("spinal cord compression", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_select_never_asks_for_documentation()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), CrdHooks.OrderSelect, Orders.Procedure("22513"));
        var extension = Assert.Single(CrdJson.CoverageInformation(answer.Response));
        Assert.Equal("conditional", extension.Code(Sub.Covered));
        Assert.Equal("auth-needed", extension.Code(Sub.PaNeeded));
        Assert.Empty(extension.Subs(Sub.DocNeeded));
        Assert.Empty(extension.Subs(Sub.DocPurpose));
        Assert.Empty(extension.Subs(Sub.Questionnaire));
        Assert.Null(answer.Assertions.Single().QuestionnaireCanonical);
    }

    public static TheoryData<string, string> HooksAndCharts()
    {
        var data = new TheoryData<string, string>();
        foreach (var hook in new[] { CrdHooks.OrderSign, CrdHooks.OrderDispatch, CrdHooks.AppointmentBook, CrdHooks.OrderSelect })
        {
            foreach (var chart in Charts.Keys)
            {
                data.Add(hook, chart);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, Func<Chart>> Charts = new()
    {
        ["covered"] = Chart.CoveredThoracicFracture,
        ["conditional"] = () => Chart.CoveredThoracicFracture().Without("ImagingStudy/mri"),
        ["not-covered"] = () => Chart.CoveredThoracicFracture().HeightLoss(80, "2026-10-05"),
        ["inactive-coverage"] = () => Chart.CoveredThoracicFracture().WithoutAll<Hl7.Fhir.Model.Coverage>().WithCoverage("old", FinancialResourceStatusCodes.Cancelled),
        ["two-coverages"] = () => Chart.CoveredThoracicFracture().WithCoverage("cov-2"),
    };

    [Theory]
    [MemberData(nameof(HooksAndCharts))]
    public void Every_answer_keeps_the_crd_invariants_and_cardinalities(string hook, string chart)
    {
        var answer = Engine.Advise(Charts[chart](), hook, Orders.Procedure("22513"), Orders.Procedure("22515"));
        Assert.Equal(2, answer.Response.SystemActions!.Count);

        for (var action = 0; action < 2; action++)
        {
            foreach (var extension in CrdJson.CoverageInformation(answer.Response, action))
            {
                // 1..1 elements.
                Assert.Single(extension.Subs(Sub.Coverage));
                Assert.Single(extension.Subs(Sub.Covered));
                Assert.Single(extension.Subs(Sub.Date));
                Assert.Single(extension.Subs(Sub.CoverageAssertionId));
                Assert.True(extension.Subs(Sub.PaNeeded).Count <= 1);
                Assert.True(extension.Subs(Sub.DocNeeded).Count <= 1);
                Assert.True(extension.Subs(Sub.SatisfiedPaId).Count <= 1);
                Assert.All(extension.Extension, e => Assert.Contains(e.Url, CrdSubExtensions));

                // Codes travel as bare valueCode.
                foreach (var coded in new[] { Sub.Covered, Sub.PaNeeded, Sub.DocNeeded, Sub.DocPurpose })
                {
                    Assert.All(extension.Subs(coded), e => Assert.IsType<Code>(e.Value));
                }

                var covered = extension.Code(Sub.Covered);
                var paNeeded = extension.Code(Sub.PaNeeded);
                var docNeeded = extension.Code(Sub.DocNeeded);
                Assert.Contains(covered, new[] { "covered", "not-covered", "conditional" });

                // crd-ci-q1: questionnaire (and response) only with doc-needed.
                Assert.True(extension.Subs(Sub.Questionnaire).Count == 0 || docNeeded is not null);
                Assert.Empty(extension.Subs("response"));

                // crd-ci-q2 (and version-safe): pa-needed exactly when covered is not not-covered.
                Assert.Equal(covered != "not-covered", paNeeded is not null);

                // crd-ci-q3: info-needed only with something conditional; we never send it.
                Assert.Empty(extension.Subs(Sub.InfoNeeded));

                // crd-ci-q5: satisfied-pa-id if and only if pa-needed = satisfied.
                Assert.Equal(paNeeded == "satisfied", extension.Subs(Sub.SatisfiedPaId).Count == 1);

                // Version-safe: doc-needed only 'clinical'; withpa never with satisfied; a reason with every doc-purpose.
                Assert.True(docNeeded is null or "clinical");
                Assert.False(paNeeded == "satisfied" && extension.Code(Sub.DocPurpose) == "withpa");
                Assert.True(extension.Subs(Sub.DocPurpose).Count == 0 || extension.Subs(Sub.Reason).Count > 0);

                // Secondary hooks SHALL NOT ask for documentation.
                if (!CrdHooks.IsPrimary(hook))
                {
                    Assert.Null(docNeeded);
                }
            }
        }
    }

    [Fact]
    public void Several_coverages_give_one_repetition_each_with_distinct_assertion_ids()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture().WithCoverage("cov-2"), Orders.Procedure("22513"));
        var extensions = CrdJson.CoverageInformation(answer.Response);
        Assert.Equal(["Coverage/cov-1", "Coverage/cov-2"], extensions.Select(e => e.Value<ResourceReference>(Sub.Coverage).Reference));
        var ids = extensions.Select(e => e.Value<FhirString>(Sub.CoverageAssertionId).Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids, answer.Assertions.Select(a => a.AssertionId));
        var paIds = extensions.Select(e => e.Value<FhirString>(Sub.SatisfiedPaId).Value).ToList();
        Assert.Equal(paIds.Count, paIds.Distinct().Count());
    }

    [Fact]
    public void Inactive_coverage_gives_not_covered_with_the_no_active_coverage_reason()
    {
        var chart = Chart.CoveredThoracicFracture().WithoutAll<Hl7.Fhir.Model.Coverage>().WithCoverage("old", FinancialResourceStatusCodes.Cancelled);
        var extension = Assert.Single(CrdJson.CoverageInformation(Engine.Advise(chart, Orders.Procedure("22513")).Response));
        Assert.Equal("not-covered", extension.Code(Sub.Covered));
        Assert.Equal(CriterionCodes.NoActiveCoverage, extension.Value<CodeableConcept>(Sub.Reason).Coding.Single().Code);
    }
}

/// <summary>
/// The system action is an update of the order as received that changes nothing but our coverage-information
/// (CRD "Coverage Information" response type; the conformance kit compares the update with the order it sent).
/// </summary>
public class CoverageInformationSystemActionTests
{
    private static ServiceRequest FixtureOrder()
    {
        var json = File.ReadAllText(Path.Combine(TestPolicy.Fixtures, "crd_service_request_example.json"));
        var order = JsonSerializer.Deserialize<ServiceRequest>(json, new JsonSerializerOptions().ForFhir())!;
        order.Code = new CodeableConcept(CodeSystems.Cpt, "22513");
        order.Subject = new ResourceReference("Patient/" + Chart.PatientId);
        order.AuthoredOn = "2026-11-24";
        order.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/ehr-local", new FhirString("keep me")));
        return order;
    }

    [Fact]
    public void Update_changes_nothing_but_the_coverage_information()
    {
        var order = FixtureOrder();
        var sent = (ServiceRequest)order.DeepCopy();
        var action = CrdJson.RoundTrip(Engine.Advise(Chart.CoveredThoracicFracture(), order).Response).SystemActions!.Single();

        Assert.Equal("update", action.Type);
        Assert.False(string.IsNullOrWhiteSpace(action.Description));
        var updated = Assert.IsType<ServiceRequest>(action.Resource);
        Assert.Single(updated.Extension, e => e.Url == CrdCodes.CoverageInformationUrl);

        updated.Extension.RemoveAll(e => e.Url == CrdCodes.CoverageInformationUrl);
        Assert.True(updated.IsExactly(sent), "the update must equal the order as sent, apart from coverage-information");
    }

    [Fact]
    public void The_order_the_ehr_sent_is_not_modified()
    {
        var order = FixtureOrder();
        var sent = (ServiceRequest)order.DeepCopy();
        Engine.Advise(Chart.CoveredThoracicFracture(), order);
        Assert.True(order.IsExactly(sent));
    }

    [Fact]
    public void Editing_the_update_afterwards_leaves_the_order_the_ehr_sent_as_it_was()
    {
        var order = FixtureOrder();
        var otherPayer = new Extension { Url = CrdCodes.CoverageInformationUrl };
        otherPayer.Extension.Add(new Extension(CrdCodes.Sub.Coverage, new ResourceReference("Coverage/other-payer")));
        otherPayer.Extension.Add(new Extension(CrdCodes.Sub.Questionnaire, new Canonical("http://example.org/Questionnaire/q")));
        order.Extension.Add(otherPayer);
        var sent = (ServiceRequest)order.DeepCopy();

        // What the host does when an assertion cannot be stored: every coverage-information loses its questionnaire.
        var updated = (ServiceRequest)Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), order).Response.SystemActions!.Single().Resource!;
        foreach (var information in updated.Extension.Where(e => e.Url == CrdCodes.CoverageInformationUrl))
        {
            information.Extension.RemoveAll(e => e.Url == CrdCodes.Sub.Questionnaire);
        }

        updated.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/later", new FhirString("added to the update")));
        Assert.True(order.IsExactly(sent), "the order as received must not change with the update");
    }

    [Fact]
    public void Earlier_coverage_information_for_the_same_coverage_is_replaced_and_other_payers_kept()
    {
        var order = FixtureOrder();
        order.Extension.Add(Stale("Coverage/cov-1"));
        order.Extension.Add(Stale("Coverage/other-payer"));

        var updated = Assert.IsType<ServiceRequest>(CrdJson.RoundTrip(Engine.Advise(Chart.CoveredThoracicFracture(), order).Response).SystemActions!.Single().Resource);
        var coverageInformation = updated.Extension.Where(e => e.Url == CrdCodes.CoverageInformationUrl).ToList();
        Assert.Equal(2, coverageInformation.Count);
        Assert.Single(coverageInformation, e => e.Code(CrdCodes.Sub.Covered) == "covered");
        Assert.Single(coverageInformation, e => e.Value<ResourceReference>(CrdCodes.Sub.Coverage).Reference == "Coverage/other-payer");
        Assert.Contains(updated.Extension, e => e.Url == "http://example.org/fhir/StructureDefinition/ehr-local");

        static Extension Stale(string coverage)
        {
            var stale = new Extension { Url = CrdCodes.CoverageInformationUrl };
            stale.Extension.Add(new Extension(CrdCodes.Sub.Coverage, new ResourceReference(coverage)));
            stale.Extension.Add(new Extension(CrdCodes.Sub.Covered, new Code("conditional")));
            return stale;
        }
    }

    [Fact]
    public void Our_action_has_the_shape_of_the_conformance_kit_example()
    {
        var kit = JsonSerializer.Deserialize<Hl7.Fhir.Model.CdsHooks.Action>(File.ReadAllText(Path.Combine(TestPolicy.Fixtures, "coverage_info_system_action_conditional.json")), CrdJson.Options)!;
        var ours = CrdJson.RoundTrip(Engine.Advise(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri"), Orders.Procedure("22513")).Response).SystemActions!.Single();

        Assert.Equal(kit.Type, ours.Type);
        var kitExtension = ((DomainResource)kit.Resource!).Extension.Single(e => e.Url == CrdCodes.CoverageInformationUrl);
        var ourExtension = ((DomainResource)ours.Resource!).Extension.Single(e => e.Url == CrdCodes.CoverageInformationUrl);
        foreach (var common in new[] { Sub.Coverage, Sub.Covered, Sub.DocNeeded, Sub.Date, Sub.CoverageAssertionId })
        {
            Assert.Equal(kitExtension.Subs(common).Single().Value!.GetType(), ourExtension.Subs(common).Single().Value!.GetType());
        }
    }

    [Theory]
    [InlineData(CrdHooks.OrderSign)]
    [InlineData(CrdHooks.OrderDispatch)]
    [InlineData(CrdHooks.AppointmentBook)]
    public void Primary_hooks_always_return_coverage_information_even_when_documentation_is_missing(string hook)
    {
        var answer = Engine.Advise(Chart.Empty().WithCoverage(), hook, Orders.Procedure("22514"));
        var extension = Assert.Single(CrdJson.CoverageInformation(answer.Response));
        Assert.Equal("conditional", extension.Code(CrdCodes.Sub.Covered));
    }

    [Fact]
    public void Coverage_info_switched_off_by_the_ehr_sends_no_system_action_but_still_the_card()
    {
        var options = new CrdRequestOptions(false, new HashSet<string>());
        var answer = Engine.Advise(TestPolicy.Default, Chart.CoveredThoracicFracture(), CrdHooks.OrderSign, options, Orders.Procedure("22513"));
        Assert.True(answer.Response.SystemActions is null or { Count: 0 });
        Assert.Single(answer.Response.Cards);
        Assert.Single(answer.Assertions);
    }

    [Fact]
    public void Out_of_scope_orders_get_no_action_and_no_card()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture(), FixtureOrder().With(o => o.Code = new CodeableConcept(CodeSystems.Snomed, "25267002")));
        Assert.True(answer.Response.SystemActions is null or { Count: 0 });
        Assert.Empty(answer.Response.Cards);
        Assert.Empty(answer.Assertions);
    }
}

internal static class ResourceExtensions
{
    public static T With<T>(this T resource, Action<T> change)
        where T : Resource
    {
        change(resource);
        return resource;
    }
}
