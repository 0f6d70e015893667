using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage;

/// <summary>What a reviewer decided. Stored as <c>approve</c> | <c>deny</c> | <c>pend</c>.</summary>
public enum ReviewDecisionKind
{
    /// <summary>Case becomes <see cref="PriorAuthCaseStatus.Approved"/>; needs a prior-auth number.</summary>
    Approve,

    /// <summary>Case becomes <see cref="PriorAuthCaseStatus.Denied"/>.</summary>
    Deny,

    /// <summary>Case becomes <see cref="PriorAuthCaseStatus.MoreInformationRequested"/>.</summary>
    Pend,
}

public static class ReviewDecisionKindCodes
{
    public static string ToCode(this ReviewDecisionKind decision) => WireCode<ReviewDecisionKind>.Of(decision);

    public static bool TryParse(string? code, out ReviewDecisionKind decision) => WireCode<ReviewDecisionKind>.TryParse(code, out decision);

    /// <summary>The case status a decision puts the case in.</summary>
    public static PriorAuthCaseStatus ResultingCaseStatus(this ReviewDecisionKind decision) => decision switch
    {
        ReviewDecisionKind.Approve => PriorAuthCaseStatus.Approved,
        ReviewDecisionKind.Deny => PriorAuthCaseStatus.Denied,
        ReviewDecisionKind.Pend => PriorAuthCaseStatus.MoreInformationRequested,
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "Unknown review decision."),
    };
}

/// <summary>
/// A final review decision on a case. Never updated: changing one's mind is a new decision that names the one it
/// supersedes.
/// </summary>
public sealed record ReviewDecisionRecord
{
    /// <summary>Assigned by the database; ignored on write, set on read.</summary>
    public long Id { get; init; }

    public required string CaseId { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>Staff user id.</summary>
    public required string DecidedBy { get; init; }

    /// <summary>The role the user decided in, e.g. <c>reviewer</c>, <c>medical-director</c>, <c>admin</c>.</summary>
    public required string Role { get; init; }

    public required ReviewDecisionKind Decision { get; init; }

    /// <summary>Code of the policy reason behind the decision, when there is one.</summary>
    public string? PolicyReasonCode { get; init; }

    public required string Rationale { get; init; }

    /// <summary>Required for <see cref="ReviewDecisionKind.Approve"/>, not allowed otherwise.</summary>
    public string? PriorAuthNumber { get; init; }

    /// <summary>Only for <see cref="ReviewDecisionKind.Approve"/>.</summary>
    public DateOnly? PriorAuthExpiresOn { get; init; }

    /// <summary>An earlier decision on the same case that this one replaces.</summary>
    public long? SupersedesDecisionId { get; init; }
}

/// <param name="Decision">As stored, with its id.</param>
/// <param name="Case">The case after the decision was applied (new status, version bumped).</param>
public sealed record ReviewDecisionResult(ReviewDecisionRecord Decision, PriorAuthCaseRecord Case);
