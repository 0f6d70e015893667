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
    public int HttpStatus { get; set; }
    public double DurationMs { get; set; }
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
}
