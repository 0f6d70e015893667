using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Tests;

/// <summary>The codes are stored in rows already written: they must never change with a rename of the mapping.</summary>
public sealed class WireCodeTests
{
    [Fact]
    public void Every_enum_member_has_the_code_stored_in_existing_rows()
    {
        Assert.Equal(
            ["awaiting-documentation", "processing", "pending-review", "approved", "denied", "more-information-requested"],
            Enum.GetValues<PriorAuthCaseStatus>().Select(s => s.ToCode()));
        Assert.Equal(["approve", "deny", "pend"], Enum.GetValues<ReviewDecisionKind>().Select(d => d.ToCode()));
        Assert.Equal(["received", "processed", "failed"], Enum.GetValues<QuestionnaireResponseProcessingState>().Select(WireCode<QuestionnaireResponseProcessingState>.Of));
        Assert.Equal(["accepted", "overridden"], Enum.GetValues<CardFeedbackOutcome>().Select(WireCode<CardFeedbackOutcome>.Of));
        Assert.Equal(["inclusion", "exclusion"], Enum.GetValues<CriterionKind>().Select(WireCode<CriterionKind>.Of));
    }

    [Fact]
    public void Codes_parse_exactly_and_unknown_values_are_refused()
    {
        Assert.True(PriorAuthCaseStatusCodes.TryParse("pending-review", out var status));
        Assert.Equal(PriorAuthCaseStatus.PendingReview, status);
        Assert.False(PriorAuthCaseStatusCodes.TryParse("Pending-Review", out _));
        Assert.False(ReviewDecisionKindCodes.TryParse(null, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ReviewDecisionKind)42).ToCode());
        Assert.Throws<InvalidDataException>(() => WireCode<CriterionKind>.Parse("maybe"));
    }
}
