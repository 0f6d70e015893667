using System.Globalization;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>The chart an assertion was decided on, read back from the hook exchange it was kept with.</summary>
public sealed record CaseChart(PatientRecord Record, Resource? Order, Patient? Patient)
{
    /// <summary>Every order of the hook call (an add-on line is decided beside its primary).</summary>
    public IReadOnlyList<Resource> Orders { get; init; } = Order is null ? [] : [Order];
}

/// <summary>
/// Puts a case's documentation side by side for a reviewer: per policy criterion, what the chart showed at
/// order-sign, what it is with the questionnaire answers, and the answers themselves labelled pre-filled, changed
/// or typed (by their DTR information-origin, and by comparing them with the draft the payer pre-filled).
/// Conflicts between answers and coded evidence come from the same re-evaluation the documentation job runs.
/// Pure apart from its inputs; nothing here writes.
/// </summary>
public sealed class CaseDocumentation(
    CoveragePolicy policy,
    PolicyWording wording,
    DocumentationQuestionnaire master,
    DocumentationQuestionnaireBuilder questionnaires,
    QuestionnaireResponseReader reader)
{
    internal static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir();

    // The re-evaluation here only explains; it must not issue prior-authorization numbers.
    private readonly DocumentationReevaluation _reevaluation = new(policy, new NoNumbers());

    /// <summary>Reads the stored chart Bundle (null when it is absent or unreadable), as the documentation job does.</summary>
    public static CaseChart? ReadChart(string? bundleJson, string patientReference, string orderReference)
    {
        if (string.IsNullOrEmpty(bundleJson))
        {
            return null;
        }

        try
        {
            var patientId = patientReference.StartsWith("Patient/", StringComparison.Ordinal) ? patientReference["Patient/".Length..] : patientReference;
            var (record, orders) = StoredChart.Read(bundleJson, patientId);
            var order = orders.Where((o, index) => OrderScope.ReferenceOf(o, index) == orderReference).FirstOrDefault();
            return new CaseChart(record, order, record.Patient) { Orders = orders };
        }
        catch (Exception ex) when (ex is JsonException or DeserializationFailedException or InvalidOperationException)
        {
            return null;
        }
    }

    public static CoverageAssertion ToDomain(CoverageAssertionRecord stored) => AssertionContextLoader.ToDomain(stored);

    /// <summary>The responses with their answers labelled, oldest first.</summary>
    public IReadOnlyList<ResponseView> Responses(IReadOnlyList<QuestionnaireResponseRecord> responses, CoverageAssertionRecord? assertion, CaseChart? chart)
    {
        var prefill = assertion is not null && chart is not null
            ? questionnaires.Build(ToDomain(assertion), chart.Record, chart.Order, chart.Orders).Prefill
            : new Dictionary<string, DataType>();
        return responses.Select(r => ToView(r, prefill)).ToList();
    }

    /// <summary>Criteria with answers beside them, and the conflicts a reviewer must settle.</summary>
    public (IReadOnlyList<CriterionView> Criteria, IReadOnlyList<string> Conflicts) Criteria(
        CoverageAssertionRecord? assertion,
        CaseChart? chart,
        QuestionnaireResponseRecord? latestResponse,
        ResponseView? latestView,
        PriorAuthCaseEventRecord? latestReevaluation)
    {
        if (assertion is null)
        {
            return ([], []);
        }

        var current = new Dictionary<string, (string Status, string? Explanation, IReadOnlyList<string> Evidence, IReadOnlyList<string> Flags)>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        var reevaluated = latestResponse is not null && chart?.Order is not null && Reevaluate(assertion, chart, latestResponse) is { } outcome
            ? outcome
            : null;
        if (reevaluated is not null)
        {
            foreach (var c in reevaluated.Criteria)
            {
                current[c.CriterionId] = (c.StatusCode, c.Explanation, c.EvidenceReferences, c.Flags);
            }

            conflicts.AddRange(reevaluated.Conflicts);
        }
        else if (latestReevaluation?.DetailJson is { } detail)
        {
            // Without the chart, the job's own summary of its result is what there is.
            foreach (var c in ReadEventCriteria(detail))
            {
                current[c.CriterionId] = (c.Status, null, [], c.Flags);
            }
        }

        var answers = latestView?.Answers ?? [];
        var views = new List<CriterionView>();
        foreach (var criterion in assertion.Criteria)
        {
            var kind = criterion.Kind == VaCdsHooks.Storage.CriterionKind.Exclusion ? "exclusion" : "inclusion";
            var now = current.TryGetValue(criterion.CriterionId, out var found) ? found : default;
            var flags = criterion.Flags.Concat(now.Flags ?? []).Distinct(StringComparer.Ordinal).ToList();
            // The re-evaluation flags what contradicts the record (one rule, in DocumentationReevaluation).
            var conflict = flags.Contains(CriterionFlags.Conflict);
            // The re-evaluation names its conflicts in sentences; when it named none (or did not run), say it here.
            if (conflict && (reevaluated is null || reevaluated.Conflicts.Count == 0))
            {
                conflicts.Add($"{wording.For(criterion.CriterionId).Display}: the chart showed {criterion.Status}" + (now.Status is null ? "; it is flagged as a conflict." : $"; with the answers it is {now.Status}."));
            }

            views.Add(new CriterionView(
                criterion.CriterionId,
                wording.For(criterion.CriterionId).Display,
                kind,
                criterion.Status,
                now.Status,
                now.Explanation ?? criterion.Explanation,
                (now.Evidence is { Count: > 0 } ? now.Evidence : criterion.EvidenceReferences).ToList(),
                flags,
                conflict,
                wording.For(criterion.CriterionId),
                answers.Where(a => a.Criteria.Contains(criterion.CriterionId)).ToList()));
        }

        return (views, conflicts);
    }

    private DocumentationOutcome? Reevaluate(CoverageAssertionRecord assertion, CaseChart chart, QuestionnaireResponseRecord latest)
    {
        var response = Parse(latest.ResourceJson);
        if (response is null)
        {
            return null;
        }

        try
        {
            var asserted = ToDomain(assertion);
            var tailored = questionnaires.Build(asserted, chart.Record, chart.Order, chart.Orders);
            if (!tailored.HasQuestions)
            {
                return null;
            }

            var evidence = reader.ToEvidence(response, tailored);
            return _reevaluation.Reevaluate(chart.Record, evidence, chart.Order!, latest.ReceivedAt, chart.Orders, asserted.Criteria);
        }
        catch (ArgumentException)
        {
            // An order this policy no longer decides: show the chart's results only.
            return null;
        }
    }

    private ResponseView ToView(QuestionnaireResponseRecord record, IReadOnlyDictionary<string, DataType> prefill)
    {
        var response = Parse(record.ResourceJson);
        if (response is null)
        {
            return new ResponseView(record.Id, record.ReceivedAt, StateCode(record.ProcessingState), null, null, []);
        }

        var answers = new List<AnswerView>();
        foreach (var (item, answer) in QuestionnaireResponseReader.Answered(response.Item))
        {
            var linkId = item.LinkId ?? "";
            var question = master.Find(linkId);
            var ours = prefill.GetValueOrDefault(linkId);
            var (origin, prefilledShown) = Label(answer, ours);
            answers.Add(new AnswerView(
                linkId,
                question?.Item.Text ?? item.Text ?? linkId,
                Describe(answer.Value),
                origin,
                prefilledShown,
                AuthorOf(answer) ?? response.Author?.Reference,
                question?.Criteria ?? []));
        }

        return new ResponseView(record.Id, record.ReceivedAt, StateCode(record.ProcessingState), response.Status?.ToString().ToLowerInvariant(), response.Author?.Reference, answers);
    }

    /// <summary>
    /// information-origin says how the app saw it; our draft says what we pre-filled. An answer marked auto that no
    /// longer matches our draft was changed all the same; one with no origin is judged by the draft alone.
    /// </summary>
    private static (string Origin, string? Prefilled) Label(QuestionnaireResponse.AnswerComponent answer, DataType? ours)
    {
        var declared = QuestionnaireResponseReader.OriginOf(answer);
        var matchesOurs = ours is not null && answer.Value is not null && ours.Matches(answer.Value);
        var oursText = ours is null || matchesOurs ? null : Describe(ours);
        return declared switch
        {
            InformationOrigin.Override => ("changed", oursText),
            InformationOrigin.Manual => ours is null ? ("typed", null) : ("changed", oursText),
            InformationOrigin.Auto => ours is null || matchesOurs ? ("pre-filled", null) : ("changed", oursText),
            _ => matchesOurs ? ("pre-filled", null) : ours is null ? ("typed", null) : ("changed", oursText),
        };
    }

    internal static QuestionnaireResponse? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<QuestionnaireResponse>(json, FhirJson);
        }
        catch (Exception ex) when (ex is JsonException or DeserializationFailedException)
        {
            return null;
        }
    }

    internal static string Describe(DataType? value) => value switch
    {
        null => "(no answer)",
        FhirBoolean b => b.Value == true ? "Yes" : b.Value == false ? "No" : "(no answer)",
        Coding c => c.Display ?? c.Code ?? "(coded)",
        Quantity q => string.Create(CultureInfo.InvariantCulture, $"{q.Value} {q.Unit ?? q.Code}").Trim(),
        FhirDecimal d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Date d => d.Value ?? "",
        FhirDateTime d => d.Value ?? "",
        FhirString s => s.Value ?? "",
        ResourceReference r => r.Display ?? r.Reference ?? "",
        PrimitiveType p => p.ToString() ?? "",
        _ => value.TypeName,
    };

    private static string StateCode(QuestionnaireResponseProcessingState state) => state switch
    {
        QuestionnaireResponseProcessingState.Received => "received",
        QuestionnaireResponseProcessingState.Processed => "processed",
        _ => "failed",
    };

    private static string? AuthorOf(QuestionnaireResponse.AnswerComponent answer)
    {
        var author = answer.GetExtension(DtrCodes.InformationOriginUrl)?.GetExtension("author");
        var reference = author?.Value as ResourceReference ?? author?.Extension.Select(e => e.Value).OfType<ResourceReference>().FirstOrDefault();
        return reference?.Reference;
    }

    private static IEnumerable<(string CriterionId, string Status, IReadOnlyList<string> Flags)> ReadEventCriteria(string json)
    {
        var list = new List<(string, string, IReadOnlyList<string>)>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return list;
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.Object
                    && element.TryGetProperty("CriterionId", out var id) && id.ValueKind == JsonValueKind.String
                    && element.TryGetProperty("Status", out var status) && status.ValueKind == JsonValueKind.String)
                {
                    var flags = element.TryGetProperty("Flags", out var f) && f.ValueKind == JsonValueKind.Array
                        ? f.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                        : [];
                    list.Add((id.GetString()!, status.GetString()!, flags));
                }
            }
        }
        catch (JsonException)
        {
            // Event detail is informational; an unreadable one leaves the chart's results standing.
        }

        return list;
    }

    private sealed class NoNumbers : IAssertionIdSource
    {
        public string NewAssertionId() => "review-preview";

        public string NewSatisfiedPaId() => "review-preview";

        public string NewCardUuid() => Guid.Empty.ToString("D");
    }
}
