namespace VaCdsHooks.Storage.Persistence;

// Row shapes, kept apart from the public records so the schema can change without breaking the host.

internal sealed class HookExchangeEntity
{
    public long Id { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string ServiceId { get; set; } = "";
    public string Hook { get; set; } = "";
    public string HookInstance { get; set; } = "";
    public string? ClientIssuer { get; set; }
    public string? Tenant { get; set; }
    public string? PatientId { get; set; }
    public string RequestBody { get; set; } = "";
    public string? ResponseBody { get; set; }

    // In a table of its own: only calls that asked for documentation carry it, and the log rows stay narrow.
    public HookExchangeChartEntity? Chart { get; set; }
    public int HttpStatus { get; set; }
    public double DurationMs { get; set; }
}

internal sealed class HookExchangeChartEntity
{
    public string Bundle { get; set; } = "";
}

internal sealed class CardFeedbackEntity
{
    public long Id { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string ServiceId { get; set; } = "";
    public string ClientIssuer { get; set; } = "";
    public string CardUuid { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string AcceptedSuggestionIdsJson { get; set; } = "[]";
    public string? OverrideReasonSystem { get; set; }
    public string? OverrideReasonCode { get; set; }
    public string? OverrideReasonDisplay { get; set; }
    public string? UserComment { get; set; }
    public DateTimeOffset OutcomeTimestamp { get; set; }
}

internal sealed class CoverageAssertionEntity
{
    public string AssertionId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string? ClientIssuer { get; set; }
    public string? HookInstance { get; set; }
    public string PatientReference { get; set; } = "";
    public string OrderReference { get; set; } = "";
    public string? CoverageReference { get; set; }
    public string PolicyVersion { get; set; } = "";
    public string Covered { get; set; } = "";
    public string? PaNeeded { get; set; }
    public string? DocNeeded { get; set; }
    public string? SatisfiedPaId { get; set; }
    public string? QuestionnaireCanonical { get; set; }
    public string EvidenceHash { get; set; } = "";
    public List<AssertionCriterionEntity> Criteria { get; set; } = [];
}

internal sealed class AssertionCriterionEntity
{
    public string AssertionId { get; set; } = "";

    /// <summary>Position in the assertion's criteria list; with the assertion id it is the key and keeps read order stable.</summary>
    public int Ordinal { get; set; }
    public string CriterionId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Explanation { get; set; }
    public string EvidenceReferencesJson { get; set; } = "[]";

    // What the questionnaire must follow up (e.g. a competing pain generator, a conflict); absent before it existed.
    public string FlagsJson { get; set; } = "[]";
}

internal sealed class PriorAuthCaseEntity
{
    public string CaseId { get; set; } = "";
    public string AssertionId { get; set; } = "";
    public string PatientReference { get; set; } = "";
    public string OrderReference { get; set; } = "";
    public string? CoverageReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string Status { get; set; } = "";
    public string? DeterminationSummary { get; set; }
    public string? PriorAuthNumber { get; set; }
    public DateOnly? PriorAuthExpiresOn { get; set; }
    public string? IndicationLabel { get; set; }

    /// <summary>Optimistic concurrency token: every update checks the value it read and bumps it by one.</summary>
    public long Version { get; set; }
}

internal sealed class PriorAuthCaseEventEntity
{
    public long Id { get; set; }
    public string CaseId { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Kind { get; set; } = "";
    public string Actor { get; set; } = "";
    public string Summary { get; set; } = "";
    public string? DetailJson { get; set; }
}

internal sealed class QuestionnaireResponseEntity
{
    public string Id { get; set; } = "";
    public string CaseId { get; set; } = "";
    public string AssertionId { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string ClientId { get; set; } = "";
    public string? SubmittedIdentifier { get; set; }
    public string ContentHash { get; set; } = "";
    public string ResourceJson { get; set; } = "";
    public string ProcessingState { get; set; } = "";
    public DateTimeOffset? ProcessedAt { get; set; }
    public string? FailureReason { get; set; }
    public int Attempts { get; set; }
}

internal sealed class ReviewDecisionEntity
{
    public long Id { get; set; }
    public string CaseId { get; set; } = "";
    public DateTimeOffset DecidedAt { get; set; }
    public string DecidedBy { get; set; } = "";
    public string Role { get; set; } = "";
    public string Decision { get; set; } = "";
    public string? PolicyReasonCode { get; set; }
    public string Rationale { get; set; } = "";
    public string? PriorAuthNumber { get; set; }
    public DateOnly? PriorAuthExpiresOn { get; set; }
    public long? SupersedesDecisionId { get; set; }
}

internal sealed class AuditEventEntity
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string ActorUserId { get; set; } = "";
    public string ActorRole { get; set; } = "";
    public string Action { get; set; } = "";
    public string? PatientReference { get; set; }
    public string? CaseId { get; set; }
    public string? Detail { get; set; }
    public string? ClientAddress { get; set; }
}

/// <summary>A one-time token (EHR hook JWT, client assertion) seen until it expires; the key is a fingerprint, never the token.</summary>
internal sealed class TokenUseEntity
{
    public string TokenKey { get; set; } = "";

    public long ExpiresAtUnixMs { get; set; }
}
