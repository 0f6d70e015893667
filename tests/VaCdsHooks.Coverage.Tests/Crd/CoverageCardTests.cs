using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Crd;

/// <summary>Cards (CDS Hooks card attributes; CRD "Cards" section: card type in source.topic, absolute links, uuids).</summary>
public class CoverageCardTests
{
    // The instructions card shares clinical-reminder (CRD 2.0.1 has no instructions card-type code); order problems are its warnings.
    private static bool IsOrderProblem(CrdCard card) => card.Source!.Topic!.Code == CrdCodes.OrderProblemCardType && card.Indicator == "warning";

    private static CrdCard CoverageCard(CoverageAnswer answer) => answer.Response.Cards.Single(c => c.Source!.Topic!.Code == CrdCodes.CoverageCardType);

    [Fact]
    public void Covered_card_says_so_in_plain_words_with_the_pa_number()
    {
        var card = CoverageCard(Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513")));
        Assert.Equal("Kyphoplasty, thoracic (22513): covered — prior authorization satisfied, PA PA-1", card.Summary);
        Assert.Equal("info", card.Indicator);
    }

    [Fact]
    public void Not_covered_card_is_a_warning_naming_the_exclusion()
    {
        var card = CoverageCard(Engine.Advise(Chart.CoveredThoracicFracture().Condition("G95.20"), Orders.Procedure("22513")));
        Assert.Equal("warning", card.Indicator);
        Assert.Contains("not covered", card.Summary, StringComparison.Ordinal);
        Assert.Contains("spinal cord compression", card.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Conditional_card_counts_the_items_to_document()
    {
        var card = CoverageCard(Engine.Advise(Chart.CoveredThoracicFracture().Without("Observation/odi"), Orders.Procedure("22513")));
        Assert.Equal("Kyphoplasty, thoracic (22513): prior authorization needed — 1 item to document", card.Summary);
    }

    [Fact]
    public void Detail_lists_every_criterion_with_its_status_and_evidence()
    {
        var card = CoverageCard(Engine.Advise(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri").Imaging("DX", "2026-10-02", id: "xray"), Orders.Procedure("22513")));
        foreach (var criterion in CriteriaEvaluator.All)
        {
            Assert.Contains("**" + criterion.Title + "**", card.Detail, StringComparison.Ordinal);
        }

        Assert.Contains("**CT or MRI ruled out other causes** — unknown", card.Detail, StringComparison.Ordinal);
        Assert.Contains("**Spinal cord compression** — unknown", card.Detail, StringComparison.Ordinal);
        Assert.Contains("**Asymptomatic fracture** — ruled out", card.Detail, StringComparison.Ordinal);
        Assert.Contains("`ImagingStudy/xray`", card.Detail, StringComparison.Ordinal);
        Assert.Contains("ICD-10-CM M80.08XA", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evidence_codes_without_display_show_the_display_from_our_value_sets()
    {
        var card = CoverageCard(Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513")));
        Assert.Contains("LOINC 97909-6 Oswestry disability index score ODI", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_gaps_are_said_in_the_card()
    {
        var card = CoverageCard(Engine.Advise(Chart.CoveredThoracicFracture().Gap("Procedure"), Orders.Procedure("22513")));
        Assert.Contains("Could not be read from the EHR:** Procedure", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_card_carries_a_crd_card_type_never_coverage_info_a_uuid_and_the_policy_as_an_absolute_link()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture().Condition("M48.56XA"), Orders.Procedure("22515"), Orders.Procedure("22512"));
        Assert.True(answer.Response.Cards.Count >= 3);
        Assert.Equal(answer.Response.Cards.Count, answer.Response.Cards.Select(c => c.Uuid).Distinct().Count());
        foreach (var card in answer.Response.Cards)
        {
            Assert.True(Guid.TryParse(card.Uuid, out _));
            Assert.InRange(card.Summary!.Length, 1, 139);
            Assert.Equal(CrdCodes.CardTypeSystemTemp, card.Source!.Topic!.System);
            Assert.NotEqual("coverage-info", card.Source.Topic.Code);
            Assert.Contains(card.Source.Topic.Code, new[] { "guideline", "clinical-reminder", "insurance" });
            if (card.Links is null)
            {
                // Only the instructions card goes without the policy link (InstructionsCardTests).
                Assert.StartsWith("Next step for ", card.Summary, StringComparison.Ordinal);
                continue;
            }

            var link = Assert.Single(card.Links);
            Assert.Equal("absolute", link.Type);
            Assert.Equal(Policy.PolicySettings.Default.PolicyUrl, link.Url!.ToString());
            Assert.Null(link.AppContext);
        }
    }

    [Fact]
    public void Crd_2_2_uses_the_cds_hooks_card_type_code_system()
    {
        var answer = Engine.Advise(TestPolicy.With(s => s.CrdVersion = "2.2.1"), Chart.CoveredThoracicFracture(), CrdHooks.OrderSign, CrdRequestOptions.Default, Orders.Procedure("22513"));
        Assert.Equal(CrdCodes.CardTypeSystemCdsHooks, CoverageCard(answer).Source!.Topic!.System);
    }

    [Fact]
    public void Long_summaries_are_cut_below_140_characters() =>
        Assert.True(CoverageCards.Truncate(new string('x', 300)).Length <= 139);

    [Fact]
    public void Add_on_without_primary_gives_a_warning_card_naming_the_primary_codes()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22512"));
        var warning = answer.Response.Cards.Single(IsOrderProblem);
        Assert.Equal("warning", warning.Indicator);
        Assert.Contains("22510 or 22511", warning.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_on_with_its_primary_gives_no_warning() =>
        Assert.DoesNotContain(
            Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513"), Orders.Procedure("22515")).Response.Cards,
            IsOrderProblem);

    [Fact]
    public void Lumbar_code_for_a_thoracic_lesion_gives_a_region_warning()
    {
        var warning = Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22514")).Response.Cards.Single(IsOrderProblem);
        Assert.Contains("lumbar", warning.Summary, StringComparison.Ordinal);
        Assert.Contains("thoracic", warning.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void No_coverage_on_file_gives_an_informative_insurance_card_and_no_guess()
    {
        var answer = Engine.Advise(Chart.CoveredThoracicFracture().WithoutAll<Hl7.Fhir.Model.Coverage>(), Orders.Procedure("22513"));
        var card = Assert.Single(answer.Response.Cards);
        Assert.Equal(CrdCodes.InsuranceCardType, card.Source!.Topic!.Code);
        Assert.Equal("info", card.Indicator);
        Assert.True(answer.Response.SystemActions is null or { Count: 0 });
        Assert.Empty(answer.Assertions);
    }

    [Fact]
    public void Card_types_switched_off_by_the_ehr_are_not_returned()
    {
        var options = new CrdRequestOptions(true, new HashSet<string> { "guideline", "clinical-reminder" });
        var answer = Engine.Advise(TestPolicy.Default, Chart.CoveredThoracicFracture(), CrdHooks.OrderSign, options, Orders.Procedure("22515"));
        Assert.Empty(answer.Response.Cards);
        Assert.Single(answer.Response.SystemActions!);
    }

    [Fact]
    public void Cards_serialize_with_source_topic_through_the_cds_hooks_serializer()
    {
        var json = CrdJson.Serialize(Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513")).Response);
        var back = CrdJson.RoundTrip(Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513")).Response);
        Assert.Contains("\"topic\":{\"system\":\"http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp\",\"code\":\"guideline\"", json, StringComparison.Ordinal);
        Assert.Equal("guideline", back.Cards.Single().Source!.Topic!.Code);
    }
}
