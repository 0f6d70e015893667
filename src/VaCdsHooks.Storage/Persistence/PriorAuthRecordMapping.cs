namespace VaCdsHooks.Storage.Persistence;

/// <summary>Mapping for the prior-auth flow tables; status-like enums are stored as their wire codes.</summary>
internal static partial class RecordMapping
{
    public static PriorAuthCaseEntity ToEntity(PriorAuthCaseRecord record, string caseId) => new()
    {
        CaseId = caseId,
        AssertionId = Required(record.AssertionId, nameof(record.AssertionId)),
        PatientReference = Required(record.PatientReference, nameof(record.PatientReference)),
        OrderReference = Required(record.OrderReference, nameof(record.OrderReference)),
        CoverageReference = record.CoverageReference,
        CreatedAt = record.CreatedAt,
        UpdatedAt = record.UpdatedAt,
        Status = record.Status.ToCode(),
        DeterminationSummary = record.DeterminationSummary,
        PriorAuthNumber = NullIfEmpty(record.PriorAuthNumber),
        PriorAuthExpiresOn = record.PriorAuthExpiresOn,
        IndicationLabel = record.IndicationLabel,
        Version = 1,
    };

    /// <summary>Copies what an update may change; identity fields are checked by the caller, the version by the store.</summary>
    public static void ApplyMutableFields(PriorAuthCaseRecord record, PriorAuthCaseEntity entity)
    {
        entity.CoverageReference = record.CoverageReference;
        entity.UpdatedAt = record.UpdatedAt;
        entity.Status = record.Status.ToCode();
        entity.DeterminationSummary = record.DeterminationSummary;
        entity.PriorAuthNumber = NullIfEmpty(record.PriorAuthNumber);
        entity.PriorAuthExpiresOn = record.PriorAuthExpiresOn;
        entity.IndicationLabel = record.IndicationLabel;
    }

    public static PriorAuthCaseRecord ToRecord(PriorAuthCaseEntity entity) => new()
    {
        CaseId = entity.CaseId,
        AssertionId = entity.AssertionId,
        PatientReference = entity.PatientReference,
        OrderReference = entity.OrderReference,
        CoverageReference = entity.CoverageReference,
        CreatedAt = entity.CreatedAt,
        UpdatedAt = entity.UpdatedAt,
        Status = ParseCaseStatus(entity.Status, entity.CaseId),
        DeterminationSummary = entity.DeterminationSummary,
        PriorAuthNumber = entity.PriorAuthNumber,
        PriorAuthExpiresOn = entity.PriorAuthExpiresOn,
        IndicationLabel = entity.IndicationLabel,
        Version = entity.Version,
    };

    public static PriorAuthCaseStatus ParseCaseStatus(string code, string caseId) =>
        PriorAuthCaseStatusCodes.TryParse(code, out var status)
            ? status
            : throw new InvalidDataException($"Unknown status '{code}' stored for prior-auth case {caseId}.");

    public static PriorAuthCaseEventEntity ToEntity(PriorAuthCaseEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new PriorAuthCaseEventEntity
        {
            CaseId = Required(record.CaseId, nameof(record.CaseId)),
            At = record.At,
            Kind = Required(record.Kind, nameof(record.Kind)),
            Actor = Required(record.Actor, nameof(record.Actor)),
            Summary = record.Summary ?? throw new ArgumentException("Summary is required.", nameof(record)),
            DetailJson = record.DetailJson,
        };
    }

    public static PriorAuthCaseEventRecord ToRecord(PriorAuthCaseEventEntity entity) => new()
    {
        Id = entity.Id,
        CaseId = entity.CaseId,
        At = entity.At,
        Kind = entity.Kind,
        Actor = entity.Actor,
        Summary = entity.Summary,
        DetailJson = entity.DetailJson,
    };

    public static QuestionnaireResponseEntity ToEntity(ReceivedQuestionnaireResponse received, string id) => new()
    {
        Id = id,
        CaseId = Required(received.CaseId, nameof(received.CaseId)),
        AssertionId = Required(received.AssertionId, nameof(received.AssertionId)),
        ReceivedAt = received.ReceivedAt,
        ClientId = Required(received.ClientId, nameof(received.ClientId)),
        SubmittedIdentifier = received.SubmittedIdentifier,
        ContentHash = QuestionnaireResponseContentHash.Compute(Required(received.CanonicalJson, nameof(received.CanonicalJson))),
        ResourceJson = Required(received.ResourceJson, nameof(received.ResourceJson)),
        ProcessingState = ProcessingStateCode(QuestionnaireResponseProcessingState.Received),
        Attempts = 0,
    };

    public static QuestionnaireResponseRecord ToRecord(QuestionnaireResponseEntity entity) => new()
    {
        Id = entity.Id,
        CaseId = entity.CaseId,
        AssertionId = entity.AssertionId,
        ReceivedAt = entity.ReceivedAt,
        ClientId = entity.ClientId,
        SubmittedIdentifier = entity.SubmittedIdentifier,
        ContentHash = entity.ContentHash,
        ResourceJson = entity.ResourceJson,
        ProcessingState = entity.ProcessingState switch
        {
            "received" => QuestionnaireResponseProcessingState.Received,
            "processed" => QuestionnaireResponseProcessingState.Processed,
            "failed" => QuestionnaireResponseProcessingState.Failed,
            var other => throw new InvalidDataException($"Unknown processing state '{other}' stored for QuestionnaireResponse {entity.Id}."),
        },
        ProcessedAt = entity.ProcessedAt,
        FailureReason = entity.FailureReason,
        Attempts = entity.Attempts,
    };

    public static string ProcessingStateCode(QuestionnaireResponseProcessingState state) => state switch
    {
        QuestionnaireResponseProcessingState.Received => "received",
        QuestionnaireResponseProcessingState.Processed => "processed",
        QuestionnaireResponseProcessingState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown processing state."),
    };

    public static ReviewDecisionEntity ToEntity(ReviewDecisionRecord record) => new()
    {
        CaseId = Required(record.CaseId, nameof(record.CaseId)),
        DecidedAt = record.DecidedAt,
        DecidedBy = Required(record.DecidedBy, nameof(record.DecidedBy)),
        Role = Required(record.Role, nameof(record.Role)),
        Decision = record.Decision.ToCode(),
        PolicyReasonCode = record.PolicyReasonCode,
        Rationale = record.Rationale ?? throw new ArgumentException("Rationale is required.", nameof(record)),
        PriorAuthNumber = NullIfEmpty(record.PriorAuthNumber),
        PriorAuthExpiresOn = record.PriorAuthExpiresOn,
        SupersedesDecisionId = record.SupersedesDecisionId,
    };

    public static ReviewDecisionRecord ToRecord(ReviewDecisionEntity entity) => new()
    {
        Id = entity.Id,
        CaseId = entity.CaseId,
        DecidedAt = entity.DecidedAt,
        DecidedBy = entity.DecidedBy,
        Role = entity.Role,
        Decision = ReviewDecisionKindCodes.TryParse(entity.Decision, out var decision)
            ? decision
            : throw new InvalidDataException($"Unknown decision '{entity.Decision}' stored as review decision {entity.Id}."),
        PolicyReasonCode = entity.PolicyReasonCode,
        Rationale = entity.Rationale,
        PriorAuthNumber = entity.PriorAuthNumber,
        PriorAuthExpiresOn = entity.PriorAuthExpiresOn,
        SupersedesDecisionId = entity.SupersedesDecisionId,
    };

    public static AuditEventEntity ToEntity(AuditEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new AuditEventEntity
        {
            At = record.At,
            ActorUserId = Required(record.ActorUserId, nameof(record.ActorUserId)),
            ActorRole = Required(record.ActorRole, nameof(record.ActorRole)),
            Action = Required(record.Action, nameof(record.Action)),
            PatientReference = record.PatientReference,
            CaseId = record.CaseId,
            Detail = record.Detail,
            ClientAddress = record.ClientAddress,
        };
    }

    public static AuditEventRecord ToRecord(AuditEventEntity entity) => new()
    {
        Id = entity.Id,
        At = entity.At,
        ActorUserId = entity.ActorUserId,
        ActorRole = entity.ActorRole,
        Action = entity.Action,
        PatientReference = entity.PatientReference,
        CaseId = entity.CaseId,
        Detail = entity.Detail,
        ClientAddress = entity.ClientAddress,
    };

    /// <summary>An empty prior-auth number would collide in the unique index; it means "none".</summary>
    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
