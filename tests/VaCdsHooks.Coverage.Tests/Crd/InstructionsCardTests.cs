using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Crd;

/// <summary>
/// CRD "Instructions" response type. The CRD server kit (davinci-crd-test-kit) counts a card as Instructions when it
/// has no <c>links</c> and no <c>suggestions</c> (<c>CardsIdentification#instructions_response_type?</c>) and requires
/// one across the hooks: <c>crd_valid_instructions_card_received</c>, <c>crd_valid_instructions_card_received_across_hooks</c>.
/// </summary>
public class InstructionsCardTests
{
    private static CrdCard? Instructions(CoverageAnswer answer) =>
        answer.Response.Cards.SingleOrDefault(c => c.Links is null && c.Suggestions is not { Count: > 0 });

    private static Chart Conditional() => Chart.CoveredThoracicFracture().Without("Observation/odi");

    [Theory]
    [InlineData(CrdHooks.OrderSign)]
    [InlineData(CrdHooks.OrderDispatch)]
    [InlineData(CrdHooks.AppointmentBook)]
    public void Conditional_answer_on_a_primary_hook_adds_a_linkless_instructions_card_crd_valid_instructions_card_received(string hook)
    {
        var answer = Engine.Advise(Conditional(), hook, Orders.Procedure("22513"));
        var card = Assert.IsType<CrdCard>(Instructions(answer));
        Assert.Equal(CrdCodes.InstructionsCardType, card.Source!.Topic!.Code);
        Assert.Equal(CrdCodes.CardTypeSystemTemp, card.Source.Topic.System);
        Assert.Equal("info", card.Indicator);
        Assert.StartsWith("Next step for Kyphoplasty, thoracic (22513)", card.Summary, StringComparison.Ordinal);
        Assert.True(card.Summary!.Length < 140);
        Assert.Contains("complete the payer's documentation questionnaire", card.Detail, StringComparison.Ordinal);

        // The coverage card still reads on its own (an EHR may switch the instructions card type off) and keeps its policy link.
        var coverage = answer.Response.Cards.Single(c => c.Source!.Topic!.Code == CrdCodes.CoverageCardType);
        Assert.Contains("**Next step:** complete the payer's documentation questionnaire", coverage.Detail, StringComparison.Ordinal);
        Assert.Equal("absolute", Assert.Single(coverage.Links!).Type);
    }

    [Fact]
    public void Covered_not_covered_and_secondary_hook_answers_carry_no_instructions_card()
    {
        Assert.Null(Instructions(Engine.Advise(Chart.CoveredThoracicFracture(), Orders.Procedure("22513"))));
        Assert.Null(Instructions(Engine.Advise(Chart.CoveredThoracicFracture().Condition("G95.20"), Orders.Procedure("22513"))));
        Assert.Null(Instructions(Engine.Advise(Conditional(), CrdHooks.OrderSelect, Orders.Procedure("22513"))));
    }

    [Fact]
    public void Disabled_card_type_switches_the_instructions_card_off_and_leaves_the_coverage_card()
    {
        var options = new CrdRequestOptions(true, new HashSet<string> { CrdCodes.InstructionsCardType });
        var answer = Engine.Advise(TestPolicy.Default, Conditional(), CrdHooks.OrderSign, options, Orders.Procedure("22513"));
        Assert.Null(Instructions(answer));
        Assert.Single(answer.Response.Cards, c => c.Source!.Topic!.Code == CrdCodes.CoverageCardType);
    }

    [Fact]
    public void Every_other_card_keeps_its_policy_link_crd_external_reference_card_validation()
    {
        var answer = Engine.Advise(Conditional(), Orders.Procedure("22513"));
        Assert.All(answer.Response.Cards.Where(c => c.Source!.Topic!.Code != CrdCodes.InstructionsCardType), c => Assert.NotEmpty(c.Links!));
    }
}
