using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Testing;

/// <summary>
/// Puts prior-auth cases into the stores the way the hook and the documentation job leave them, for tests of the
/// review workspace: a coverage assertion kept with its chart, a case, optionally a received QuestionnaireResponse,
/// and the case moved to pending review by a re-evaluation.
/// </summary>
public static class ReviewCases
{
    public const string PatientReference = "Patient/demo-conditional";
    public const string OrderReference = "ServiceRequest/sr-demo-conditional";
    public const string Indication = "Osteoporotic vertebral compression fracture";

    /// <summary>A QuestionnaireResponse as a DTR app sends it: one answer kept as pre-filled, one changed, one typed.</summary>
    public const string SampleResponse = """
        {
          "resourceType": "QuestionnaireResponse",
          "status": "completed",
          "subject": { "reference": "Patient/demo-conditional" },
          "authored": "2026-11-20T10:00:00Z",
          "author": { "reference": "Practitioner/dr-surgeon" },
          "item": [
            { "linkId": "pain", "item": [
              { "linkId": "pain.severity", "answer": [ { "valueDecimal": 7,
                "extension": [ { "url": "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin", "extension": [ { "url": "source", "valueCode": "auto" } ] } ] } ] },
              { "linkId": "pain.functional-impairment", "answer": [ { "valueBoolean": true,
                "extension": [ { "url": "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin", "extension": [ { "url": "source", "valueCode": "manual" } ] } ] } ] }
            ] },
            { "linkId": "imaging", "item": [
              { "linkId": "imaging.modality", "answer": [ { "valueCoding": { "system": "http://dicom.nema.org/resources/ontology/DCM", "code": "MR", "display": "Magnetic Resonance" },
                "extension": [ { "url": "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin", "extension": [ { "url": "source", "valueCode": "override" } ] } ] } ] },
              { "linkId": "imaging.date", "answer": [ { "valueDate": "2026-11-02" } ] }
            ] }
          ]
        }
        """;

    /// <summary>A case pending review, created <paramref name="age"/> ago (default one hour).</summary>
    public static async Task<PriorAuthCaseRecord> SeedPendingReviewAsync(
        IServiceProvider services,
        string? recordBundleJson = null,
        string? questionnaireResponseJson = null,
        TimeSpan? age = null,
        string? indication = Indication)
    {
        var writer = services.GetRequiredService<IHookRecordWriter>();
        var cases = services.GetRequiredService<IPriorAuthCaseStore>();
        var responses = services.GetRequiredService<IQuestionnaireResponseStore>();
        var created = DateTimeOffset.UtcNow - (age ?? TimeSpan.FromHours(1));
        var assertionId = Guid.NewGuid().ToString("N");
        var hookInstance = Guid.NewGuid().ToString();

        await writer.WriteAsync(
            new HookExchangeRecord
            {
                ReceivedAt = created,
                ServiceId = "vertebral-augmentation-order-sign",
                Hook = "order-sign",
                HookInstance = hookInstance,
                ClientIssuer = "https://ehr.test.example",
                PatientId = "demo-conditional",
                RequestBody = "{}",
                ResponseBody = "{}",
                RecordBundle = recordBundleJson,
                HttpStatus = 200,
                DurationMs = 1,
            },
            [Assertion(assertionId, hookInstance, created)]);

        var creation = await cases.CreateIfAbsentAsync(new PriorAuthCaseRecord
        {
            AssertionId = assertionId,
            PatientReference = PatientReference,
            OrderReference = OrderReference,
            CoverageReference = "Coverage/cov-demo-conditional",
            CreatedAt = created,
            UpdatedAt = created,
            Status = PriorAuthCaseStatus.AwaitingDocumentation,
            DeterminationSummary = "Documentation requested.",
            IndicationLabel = indication,
        }, PriorAuthCaseEventRecord.SystemActor);
        var current = creation.Case;

        string? responseId = null;
        if (questionnaireResponseJson is not null)
        {
            var saved = await responses.SaveReceivedAsync(new QuestionnaireResponseRecord
            {
                CaseId = current.CaseId,
                AssertionId = assertionId,
                ReceivedAt = created.AddMinutes(10),
                ClientId = "dtr-app",
                ContentHash = QuestionnaireResponseContentHash.Compute(questionnaireResponseJson + assertionId),
                ResourceJson = questionnaireResponseJson,
            });
            responseId = saved.Response.Id;
            current = (await cases.FindAsync(current.CaseId))!;
        }

        var at = created.AddMinutes(11);
        return await cases.UpdateAsync(
            current with { Status = PriorAuthCaseStatus.PendingReview, UpdatedAt = at, DeterminationSummary = "Needs review: Pain causing functional impairment: the record showed not-met; with the answers it is met." },
            current.Version,
            new PriorAuthCaseEventRecord
            {
                CaseId = current.CaseId,
                At = at,
                Kind = PriorAuthCaseEventKinds.ReEvaluated,
                Actor = PriorAuthCaseEventRecord.SystemActor,
                Summary = "Answers re-evaluated: pending-review.",
                DetailJson = """[{"CriterionId":"pain-impairment","Status":"met","Flags":["conflict"]},{"CriterionId":"imaging-ruled-out","Status":"met","Flags":[]}]""",
            },
            responseId);
    }

    private static CoverageAssertionRecord Assertion(string assertionId, string hookInstance, DateTimeOffset created) => new()
    {
        AssertionId = assertionId,
        CreatedAt = created,
        ClientIssuer = "https://ehr.test.example",
        HookInstance = hookInstance,
        PatientReference = PatientReference,
        OrderReference = OrderReference,
        CoverageReference = "Coverage/cov-demo-conditional",
        PolicyVersion = "2025.1",
        Covered = "conditional",
        PaNeeded = "auth-needed",
        DocNeeded = "clinical",
        QuestionnaireCanonical = "http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation",
        EvidenceHash = "sha256:test",
        Criteria =
        [
            Criterion("indication", CriterionKind.Inclusion, "met", "Osteoporotic vertebral compression fracture (M80.08XA).", "Condition/demo-conditional-osteoporotic-vcf"),
            Criterion("region", CriterionKind.Inclusion, "met", "Thoracic vertebral body.", "Condition/demo-conditional-osteoporotic-vcf"),
            Criterion("onset-window", CriterionKind.Inclusion, "met", "Pain began within 4 months of the order."),
            Criterion("pain-impairment", CriterionKind.Inclusion, "not-met", "Pain 7/10 but no impairment documented.", "Observation/demo-conditional-pain-initial"),
            Criterion("failed-omt", CriterionKind.Inclusion, "met", "Pain 6/10 after oxycodone and physical therapy.", "MedicationStatement/demo-conditional-oxycodone"),
            Criterion("imaging-ruled-out", CriterionKind.Inclusion, "unknown", "Only an X-ray of the spine is on file; CT or MRI is needed."),
            Criterion("cord-compression", CriterionKind.Exclusion, "unknown", "No CT or MRI to rule it out."),
            Criterion("severe-collapse", CriterionKind.Exclusion, "unknown", "No CT or MRI to rule it out."),
        ],
    };

    private static AssertionCriterionRecord Criterion(string id, CriterionKind kind, string status, string explanation, params string[] evidence) => new()
    {
        CriterionId = id,
        Kind = kind,
        Status = status,
        Explanation = explanation,
        EvidenceReferences = evidence,
    };
}
