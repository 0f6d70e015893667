using System.Text.Json;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>Between the public records and the row shapes. Enums are stored as their lower-case wire codes.</summary>
internal static partial class RecordMapping
{
    public static HookExchangeEntity ToEntity(HookExchangeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new HookExchangeEntity
        {
            ReceivedAt = record.ReceivedAt,
            ServiceId = Required(record.ServiceId, nameof(record.ServiceId)),
            Hook = Required(record.Hook, nameof(record.Hook)),
            HookInstance = Required(record.HookInstance, nameof(record.HookInstance)),
            ClientIssuer = record.ClientIssuer,
            Tenant = record.Tenant,
            PatientId = record.PatientId,
            RequestBody = CredentialRedaction.Redact(record.RequestBody ?? throw new ArgumentException("RequestBody is required.", nameof(record))),
            ResponseBody = record.ResponseBody,
            Chart = record.RecordBundle is null ? null : new HookExchangeChartEntity { Bundle = record.RecordBundle },
            HttpStatus = record.HttpStatus,
            DurationMs = record.DurationMs,
        };
    }

    public static HookExchangeRecord ToRecord(HookExchangeEntity entity) => new()
    {
        Id = entity.Id,
        ReceivedAt = entity.ReceivedAt,
        ServiceId = entity.ServiceId,
        Hook = entity.Hook,
        HookInstance = entity.HookInstance,
        ClientIssuer = entity.ClientIssuer,
        Tenant = entity.Tenant,
        PatientId = entity.PatientId,
        RequestBody = CredentialRedaction.Redact(entity.RequestBody),
        ResponseBody = entity.ResponseBody,
        RecordBundle = entity.Chart?.Bundle,
        HttpStatus = entity.HttpStatus,
        DurationMs = entity.DurationMs,
    };

    public static CardFeedbackEntity ToEntity(CardFeedbackRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new CardFeedbackEntity
        {
            ReceivedAt = record.ReceivedAt,
            ServiceId = Required(record.ServiceId, nameof(record.ServiceId)),
            ClientIssuer = record.ClientIssuer ?? throw new ArgumentException("ClientIssuer is part of the idempotency key and must not be null.", nameof(record)),
            CardUuid = Required(record.CardUuid, nameof(record.CardUuid)),
            Outcome = OutcomeCode(record.Outcome),
            AcceptedSuggestionIdsJson = ToJsonArray(record.AcceptedSuggestionIds),
            OverrideReasonSystem = record.OverrideReasonSystem,
            OverrideReasonCode = record.OverrideReasonCode,
            OverrideReasonDisplay = record.OverrideReasonDisplay,
            UserComment = record.UserComment,
            OutcomeTimestamp = record.OutcomeTimestamp,
        };
    }

    public static CardFeedbackRecord ToRecord(CardFeedbackEntity entity) => new()
    {
        Id = entity.Id,
        ReceivedAt = entity.ReceivedAt,
        ServiceId = entity.ServiceId,
        ClientIssuer = entity.ClientIssuer,
        CardUuid = entity.CardUuid,
        Outcome = entity.Outcome switch
        {
            "accepted" => CardFeedbackOutcome.Accepted,
            "overridden" => CardFeedbackOutcome.Overridden,
            var other => throw new InvalidDataException($"Unknown feedback outcome '{other}' in row {entity.Id}."),
        },
        AcceptedSuggestionIds = FromJsonArray(entity.AcceptedSuggestionIdsJson),
        OverrideReasonSystem = entity.OverrideReasonSystem,
        OverrideReasonCode = entity.OverrideReasonCode,
        OverrideReasonDisplay = entity.OverrideReasonDisplay,
        UserComment = entity.UserComment,
        OutcomeTimestamp = entity.OutcomeTimestamp,
    };

    public static CoverageAssertionEntity ToEntity(CoverageAssertionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var assertionId = Required(record.AssertionId, nameof(record.AssertionId));
        return new CoverageAssertionEntity
        {
            AssertionId = assertionId,
            CreatedAt = record.CreatedAt,
            ClientIssuer = record.ClientIssuer,
            HookInstance = record.HookInstance,
            PatientReference = Required(record.PatientReference, nameof(record.PatientReference)),
            OrderReference = Required(record.OrderReference, nameof(record.OrderReference)),
            CoverageReference = record.CoverageReference,
            PolicyVersion = Required(record.PolicyVersion, nameof(record.PolicyVersion)),
            Covered = Required(record.Covered, nameof(record.Covered)),
            PaNeeded = record.PaNeeded,
            DocNeeded = record.DocNeeded,
            SatisfiedPaId = record.SatisfiedPaId,
            QuestionnaireCanonical = record.QuestionnaireCanonical,
            EvidenceHash = Required(record.EvidenceHash, nameof(record.EvidenceHash)),
            Criteria = (record.Criteria ?? []).Select((criterion, ordinal) => new AssertionCriterionEntity
            {
                AssertionId = assertionId,
                Ordinal = ordinal,
                CriterionId = Required(criterion.CriterionId, nameof(criterion.CriterionId)),
                Kind = criterion.Kind switch
                {
                    CriterionKind.Inclusion => "inclusion",
                    CriterionKind.Exclusion => "exclusion",
                    var other => throw new ArgumentOutOfRangeException(nameof(record), other, "Unknown criterion kind."),
                },
                Status = Required(criterion.Status, nameof(criterion.Status)),
                Explanation = criterion.Explanation,
                EvidenceReferencesJson = ToJsonArray(criterion.EvidenceReferences),
                FlagsJson = ToJsonArray(criterion.Flags),
            }).ToList(),
        };
    }

    public static CoverageAssertionRecord ToRecord(CoverageAssertionEntity entity) => new()
    {
        AssertionId = entity.AssertionId,
        CreatedAt = entity.CreatedAt,
        ClientIssuer = entity.ClientIssuer,
        HookInstance = entity.HookInstance,
        PatientReference = entity.PatientReference,
        OrderReference = entity.OrderReference,
        CoverageReference = entity.CoverageReference,
        PolicyVersion = entity.PolicyVersion,
        Covered = entity.Covered,
        PaNeeded = entity.PaNeeded,
        DocNeeded = entity.DocNeeded,
        SatisfiedPaId = entity.SatisfiedPaId,
        QuestionnaireCanonical = entity.QuestionnaireCanonical,
        EvidenceHash = entity.EvidenceHash,
        Criteria = entity.Criteria.OrderBy(c => c.Ordinal).Select(c => new AssertionCriterionRecord
        {
            CriterionId = c.CriterionId,
            Kind = c.Kind switch
            {
                "inclusion" => CriterionKind.Inclusion,
                "exclusion" => CriterionKind.Exclusion,
                var other => throw new InvalidDataException($"Unknown criterion kind '{other}' in assertion {entity.AssertionId}."),
            },
            Status = c.Status,
            Explanation = c.Explanation,
            EvidenceReferences = FromJsonArray(c.EvidenceReferencesJson),
            Flags = FromJsonArray(c.FlagsJson),
        }).ToList(),
    };

    public static string OutcomeCode(CardFeedbackOutcome outcome) => outcome switch
    {
        CardFeedbackOutcome.Accepted => "accepted",
        CardFeedbackOutcome.Overridden => "overridden",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown feedback outcome."),
    };

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{name} is required.", name) : value;

    private static string ToJsonArray(IReadOnlyList<string>? values) => JsonSerializer.Serialize(values ?? [], StorageJsonContext.Default.IReadOnlyListString);

    private static IReadOnlyList<string> FromJsonArray(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.ListString) ?? [];
}
