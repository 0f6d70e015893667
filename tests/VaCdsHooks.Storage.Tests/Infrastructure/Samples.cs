namespace VaCdsHooks.Storage.Tests.Infrastructure;

/// <summary>Test data builders; every call gets unique identifiers so tests sharing a database never see each other's rows.</summary>
public static class Samples
{
    public static readonly DateTimeOffset BaseTime = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static HookExchangeRecord Exchange(string? patientId = null, string? hookInstance = null, DateTimeOffset? receivedAt = null, string? tenant = null) => new()
    {
        ReceivedAt = receivedAt ?? BaseTime,
        ServiceId = "order-sign-crd",
        Hook = "order-sign",
        HookInstance = hookInstance ?? Guid.NewGuid().ToString(),
        ClientIssuer = "https://ehr.example.org",
        Tenant = tenant ?? "tenant-a",
        PatientId = patientId ?? Unique("patient"),
        RequestBody = """{"hook":"order-sign","context":{"patientId":"123"}}""",
        ResponseBody = """{"cards":[]}""",
        RecordBundle = """{"resourceType":"Bundle","type":"collection","entry":[]}""",
        HttpStatus = 200,
        DurationMs = 4.25,
    };

    public static CoverageAssertionRecord Assertion(string? assertionId = null, string? patientReference = null, string? orderReference = null, DateTimeOffset? createdAt = null) => new()
    {
        AssertionId = assertionId ?? Unique("assertion"),
        CreatedAt = createdAt ?? BaseTime,
        ClientIssuer = "https://ehr.example.org",
        HookInstance = Guid.NewGuid().ToString(),
        PatientReference = patientReference ?? $"Patient/{Unique("p")}",
        OrderReference = orderReference ?? $"ServiceRequest/{Unique("o")}",
        CoverageReference = "Coverage/cov-1",
        PolicyVersion = "home-oxygen-2025.1",
        Covered = "conditional",
        PaNeeded = "auth-needed",
        DocNeeded = "clinical",
        QuestionnaireCanonical = "http://example.org/Questionnaire/home-oxygen|1.0",
        EvidenceHash = "sha256:abc",
        Criteria =
        [
            new AssertionCriterionRecord
            {
                CriterionId = "spo2-below-88",
                Kind = CriterionKind.Inclusion,
                Status = "met",
                Explanation = "SpO2 86% at rest on 2025-03-01",
                EvidenceReferences = ["Observation/spo2-1", "Observation/spo2-2"],
                Flags = ["competing-pain-generator"],
            },
        ],
    };

    public static CardFeedbackRecord Feedback(string? cardUuid = null, DateTimeOffset? outcomeTimestamp = null, string clientIssuer = "https://ehr.example.org") => new()
    {
        ReceivedAt = BaseTime.AddMinutes(5),
        ServiceId = "order-sign-crd",
        ClientIssuer = clientIssuer,
        CardUuid = cardUuid ?? Guid.NewGuid().ToString(),
        Outcome = CardFeedbackOutcome.Overridden,
        AcceptedSuggestionIds = [],
        OverrideReasonSystem = "http://example.org/CodeSystem/override-reasons",
        OverrideReasonCode = "patient-declined",
        OverrideReasonDisplay = "Patient declined the alternative",
        UserComment = "Discussed with patient",
        OutcomeTimestamp = outcomeTimestamp ?? BaseTime.AddMinutes(4),
    };

    public static PriorAuthCaseRecord Case(CoverageAssertionRecord assertion, PriorAuthCaseStatus status = PriorAuthCaseStatus.AwaitingDocumentation, DateTimeOffset? createdAt = null, string? indicationLabel = null) => new()
    {
        AssertionId = assertion.AssertionId,
        PatientReference = assertion.PatientReference,
        OrderReference = assertion.OrderReference,
        CoverageReference = assertion.CoverageReference,
        CreatedAt = createdAt ?? assertion.CreatedAt,
        UpdatedAt = createdAt ?? assertion.CreatedAt,
        Status = status,
        DeterminationSummary = "Documentation of resting SpO2 is needed.",
        IndicationLabel = indicationLabel ?? "home-oxygen",
    };

    public static QuestionnaireResponseRecord Response(PriorAuthCaseRecord forCase, string? canonicalJson = null, DateTimeOffset? receivedAt = null)
    {
        var canonical = canonicalJson ?? $$"""{"item":[{"answer":[{"valueDecimal":86}],"linkId":"spo2"}],"resourceType":"QuestionnaireResponse","status":"completed","tag":"{{Guid.NewGuid():N}}"}""";
        return new QuestionnaireResponseRecord
        {
            CaseId = forCase.CaseId,
            AssertionId = forCase.AssertionId,
            ReceivedAt = receivedAt ?? BaseTime.AddHours(1),
            ClientId = "dtr-app-1",
            SubmittedIdentifier = "urn:uuid:" + Guid.NewGuid(),
            ContentHash = QuestionnaireResponseContentHash.Compute(canonical),
            // As sent: same content, different whitespace and key order than the canonical form.
            ResourceJson = "{ \"resourceType\" : \"QuestionnaireResponse\",\n  \"status\": \"completed\", \"caf\u00e9\": \"\u00e9\", \"canonical\": " + System.Text.Json.JsonSerializer.Serialize(canonical) + " }\n",
        };
    }

    public static ReviewDecisionRecord Decision(PriorAuthCaseRecord forCase, ReviewDecisionKind decision, string? priorAuthNumber = null, long? supersedes = null, DateTimeOffset? decidedAt = null) => new()
    {
        CaseId = forCase.CaseId,
        DecidedAt = decidedAt ?? BaseTime.AddHours(5),
        DecidedBy = "reviewer-7",
        Role = "medical-director",
        Decision = decision,
        PolicyReasonCode = decision == ReviewDecisionKind.Deny ? "criteria-not-met" : null,
        Rationale = $"{decision} after reading the submitted documentation.",
        PriorAuthNumber = decision == ReviewDecisionKind.Approve ? priorAuthNumber ?? Unique("PA") : null,
        PriorAuthExpiresOn = decision == ReviewDecisionKind.Approve ? new DateOnly(2026, 3, 14) : null,
        SupersedesDecisionId = supersedes,
    };

    public static AuditEventRecord AuditEntry(string? actor = null, string? patientReference = null, string? caseId = null, DateTimeOffset? at = null, string action = AuditActions.ViewCase) => new()
    {
        At = at ?? BaseTime,
        ActorUserId = actor ?? Unique("user"),
        ActorRole = "reviewer",
        Action = action,
        PatientReference = patientReference,
        CaseId = caseId,
        Detail = "Opened the case page",
        ClientAddress = "10.0.0.8",
    };
}
