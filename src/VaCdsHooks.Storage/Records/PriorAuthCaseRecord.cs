using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage;

/// <summary>Where a prior-authorization case stands. Stored as the wire code (see <see cref="PriorAuthCaseStatusCodes"/>).</summary>
public enum PriorAuthCaseStatus
{
    /// <summary><c>awaiting-documentation</c>: the DTR app has not sent a QuestionnaireResponse yet.</summary>
    AwaitingDocumentation,

    /// <summary><c>processing</c>: a response was received and the background re-evaluation has not finished.</summary>
    Processing,

    /// <summary><c>pending-review</c>: waiting in the staff queue.</summary>
    PendingReview,

    /// <summary><c>approved</c>: has a prior-auth number.</summary>
    Approved,

    /// <summary><c>denied</c>.</summary>
    Denied,

    /// <summary><c>more-information-requested</c>: a reviewer pended it; the provider must send more documentation.</summary>
    MoreInformationRequested,
}

/// <summary>The lower-case codes the case statuses are stored and exchanged as.</summary>
public static class PriorAuthCaseStatusCodes
{
    public static string ToCode(this PriorAuthCaseStatus status) => WireCode<PriorAuthCaseStatus>.Of(status);

    /// <summary>Parses a code exactly as <see cref="ToCode"/> writes it (for query strings and stored rows).</summary>
    public static bool TryParse(string? code, out PriorAuthCaseStatus status) => WireCode<PriorAuthCaseStatus>.TryParse(code, out status);
}

/// <summary>
/// One prior-authorization case: created for a coverage assertion that needed documentation or review, moved along by
/// the re-evaluation job and by staff decisions, and read by a later order-sign to answer <c>pa-needed = satisfied</c>.
/// </summary>
public sealed record PriorAuthCaseRecord
{
    /// <summary>Opaque id. On create, leave empty to have the store assign one.</summary>
    public string CaseId { get; init; } = "";

    /// <summary>The coverage assertion this case is for; one case per assertion. Fixed once created.</summary>
    public required string AssertionId { get; init; }

    /// <summary>e.g. <c>Patient/123</c>. Fixed once created.</summary>
    public required string PatientReference { get; init; }

    /// <summary>e.g. <c>ServiceRequest/abc</c>. Fixed once created.</summary>
    public required string OrderReference { get; init; }

    public string? CoverageReference { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required PriorAuthCaseStatus Status { get; init; }

    /// <summary>The current determination in a sentence or two, for the queue and the case page.</summary>
    public string? DeterminationSummary { get; init; }

    /// <summary>Issued by the domain on approval; unique across cases when present.</summary>
    public string? PriorAuthNumber { get; init; }

    public DateOnly? PriorAuthExpiresOn { get; init; }

    /// <summary>Short label of the clinical indication, used to filter the review queue.</summary>
    public string? IndicationLabel { get; init; }

    /// <summary>
    /// Concurrency token, set by the store (1 on create, +1 on every update). Pass the value you read as the expected
    /// version when updating; a mismatch throws <see cref="CaseConcurrencyException"/>.
    /// </summary>
    public long Version { get; init; }
}

/// <summary>Common <see cref="PriorAuthCaseEventRecord.Kind"/> values; the vocabulary is open, so new kinds need no migration.</summary>
public static class PriorAuthCaseEventKinds
{
    public const string Created = "created";
    public const string ResponseReceived = "response-received";
    public const string ReEvaluated = "re-evaluated";
    public const string Decision = "decision";
    public const string Reopened = "reopened";
}

/// <summary>One entry of a case's append-only history, as shown on the case page.</summary>
public sealed record PriorAuthCaseEventRecord
{
    /// <summary>The actor value for things the service did on its own (jobs, hooks).</summary>
    public const string SystemActor = "system";

    /// <summary>Assigned by the database; ignored on write, set on read.</summary>
    public long Id { get; init; }

    public required string CaseId { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>See <see cref="PriorAuthCaseEventKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary><see cref="SystemActor"/> or the staff user id.</summary>
    public required string Actor { get; init; }

    public required string Summary { get; init; }

    /// <summary>Optional machine-readable detail as JSON text.</summary>
    public string? DetailJson { get; init; }
}
