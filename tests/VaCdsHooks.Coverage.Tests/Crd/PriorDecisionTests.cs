using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Crd;

/// <summary>
/// A later hook call for an order the payer already decided answers from that decision (approved: covered with
/// the same prior-auth number as satisfied-pa-id; denied: not covered), not from a fresh evaluation.
/// </summary>
public sealed class PriorDecisionTests
{
    private static CoverageAnswer Advise(Chart chart, params PriorDecision[] decisions)
    {
        var order = Orders.Procedure("22513");
        return new CoverageAdvisor(TestPolicy.Default, new SequentialIds())
            .Advise(new CoverageRequest(CrdHooks.OrderSign, chart.Record(), [order], Engine.Now, CrdRequestOptions.Default, decisions));
    }

    private static string OrderReference => "ServiceRequest/" + Orders.Procedure("22513").Id;

    [Fact]
    public void Approved_documentation_makes_a_conditional_order_covered_with_the_approved_number()
    {
        var conditional = Chart.CoveredThoracicFracture().Without("ImagingStudy/mri");
        var approval = new PriorDecision(OrderReference, true, "PA-APPROVED1", new DateOnly(2027, 2, 22), Engine.Now.AddDays(-1), null);

        var answer = Advise(conditional, approval);

        var info = Assert.Single(CrdJson.CoverageInformation(CrdJson.RoundTrip(answer.Response)));
        Assert.Equal("covered", info.Code("covered"));
        Assert.Equal("satisfied", info.Code("pa-needed"));
        Assert.Equal("PA-APPROVED1", info.Value<Hl7.Fhir.Model.FhirString>("satisfied-pa-id").Value);
        Assert.Empty(info.Subs("questionnaire"));
        Assert.Equal("PA-APPROVED1", Assert.Single(answer.Assertions).SatisfiedPaId);
    }

    [Fact]
    public void An_expired_approval_is_ignored_and_the_chart_decides_again()
    {
        var conditional = Chart.CoveredThoracicFracture().Without("ImagingStudy/mri");
        var expired = new PriorDecision(OrderReference, true, "PA-OLD", new DateOnly(2026, 11, 1), Engine.Now.AddDays(-120), null);

        var answer = Advise(conditional, expired);

        var info = Assert.Single(CrdJson.CoverageInformation(CrdJson.RoundTrip(answer.Response)));
        Assert.Equal("conditional", info.Code("covered"));
    }

    [Fact]
    public void A_denial_on_file_answers_not_covered_with_its_reason()
    {
        var denial = new PriorDecision(OrderReference, false, null, null, Engine.Now.AddDays(-2), "healed fracture on CT");

        var answer = Advise(Chart.CoveredThoracicFracture(), denial);

        var info = Assert.Single(CrdJson.CoverageInformation(CrdJson.RoundTrip(answer.Response)));
        Assert.Equal("not-covered", info.Code("covered"));
        Assert.Contains("healed fracture on CT", Assert.Single(answer.Response.Cards).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decision_for_another_order_does_not_apply()
    {
        var other = new PriorDecision("ServiceRequest/someone-else", true, "PA-OTHER", null, Engine.Now, null);

        var answer = Advise(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri"), other);

        Assert.Equal("conditional", Assert.Single(answer.Assertions).Covered);
    }

    [Fact]
    public void Documentation_under_review_is_not_asked_for_again()
    {
        var conditional = Chart.CoveredThoracicFracture().Without("ImagingStudy/mri");
        var pending = PriorDecision.Pending(OrderReference, Engine.Now.AddDays(-1), "pending-review");

        var answer = Advise(conditional, pending);

        var info = Assert.Single(CrdJson.CoverageInformation(CrdJson.RoundTrip(answer.Response)));
        Assert.Equal("conditional", info.Code("covered"));
        Assert.Equal("auth-needed", info.Code("pa-needed"));
        Assert.Empty(info.Subs("doc-needed"));
        Assert.Empty(info.Subs("questionnaire"));
        var card = Assert.Single(answer.Response.Cards);
        Assert.Contains("under payer review", card.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("complete the payer's documentation questionnaire", card.Detail, StringComparison.Ordinal);
        Assert.Null(Assert.Single(answer.Assertions).DocNeeded);
    }

    [Fact]
    public void A_chart_that_now_decides_on_its_own_wins_over_documentation_under_review()
    {
        var pending = PriorDecision.Pending(OrderReference, Engine.Now.AddDays(-1), "processing");

        var answer = Advise(Chart.CoveredThoracicFracture(), pending);

        var info = Assert.Single(CrdJson.CoverageInformation(CrdJson.RoundTrip(answer.Response)));
        Assert.Equal("covered", info.Code("covered"));
    }
}
