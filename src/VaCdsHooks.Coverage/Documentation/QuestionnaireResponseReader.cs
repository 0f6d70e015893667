using System.Globalization;
using System.Numerics;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>One thing wrong with a submitted QuestionnaireResponse, by linkId (null: the response as a whole).</summary>
public sealed record QuestionnaireProblem(string? LinkId, string Message)
{
    /// <summary>An OperationOutcome (one error issue per problem, the linkId as its expression) for the host to return.</summary>
    public static OperationOutcome ToOperationOutcome(IEnumerable<QuestionnaireProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return new OperationOutcome
        {
            Issue = problems.Select(p => new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = OperationOutcome.IssueType.Invalid,
                Diagnostics = p.Message,
                Expression = p.LinkId is null ? [] : [$"QuestionnaireResponse.item.where(linkId='{p.LinkId}')"],
            }).ToList(),
        };
    }
}

/// <summary>How an answer came to be (DTR information-origin).</summary>
public enum InformationOrigin
{
    /// <summary>Pre-filled by the payer or the DTR app from the record (auto, auto-client, auto-server).</summary>
    Auto,

    /// <summary>Pre-filled, then changed by a person.</summary>
    Override,

    /// <summary>Typed in by a person.</summary>
    Manual,

    /// <summary>No information-origin extension.</summary>
    NotStated,
}

/// <summary>One answer turned into evidence.</summary>
/// <param name="LinkId">The question.</param>
/// <param name="Criteria">The criteria the question answers.</param>
/// <param name="Reference"><c>Type/id</c> of the Observation or ImagingStudy recording it.</param>
/// <param name="Origin">Whether it was pre-filled, overridden or typed in.</param>
/// <param name="Author">Who answered (reference), if stated.</param>
public sealed record AttestedAnswer(string LinkId, IReadOnlyList<string> Criteria, string Reference, InformationOrigin Origin, string? Author);

/// <summary>The evidence a completed QuestionnaireResponse adds to the record.</summary>
/// <param name="ResponseReference"><c>QuestionnaireResponse/id</c>.</param>
/// <param name="Resources">Observations coded from our finding CodeSystem or LOINC, and an attested ImagingStudy.</param>
/// <param name="Answers">Per answer: what records it, with origin and author.</param>
public sealed record DocumentationEvidence(string ResponseReference, IReadOnlyList<Resource> Resources, IReadOnlyList<AttestedAnswer> Answers);

/// <summary>
/// Takes a submitted QuestionnaireResponse back: <see cref="Validate"/> checks it against the tailored
/// Questionnaire of its assertion (canonical, patient, status, linkIds, answer types and answer lists, ranges,
/// required and disabled items) and names each problem; <see cref="ToEvidence"/> turns a valid one into
/// attestation evidence the engine reads (fhir-resources/README.md, "Findings and attestations"): one Observation
/// per answer, coded with the item's finding or LOINC code, the patient as subject, the author as performer,
/// <c>derivedFrom</c> the response, and its information-origin as a meta tag. Narrative answers stay in the
/// response for the reviewer. Pure.
/// </summary>
public sealed class QuestionnaireResponseReader
{
    private static readonly Coding SpineBodySite = new(CodeSystems.Snomed, "421060004", "Spinal structure");

    private readonly CoveragePolicy _policy;
    private readonly DocumentationQuestionnaire _master;

    public QuestionnaireResponseReader(CoveragePolicy policy, DocumentationQuestionnaire master)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(master);
        _policy = policy;
        _master = master;
    }

    /// <summary>Every problem with <paramref name="response"/> as an answer to <paramref name="tailored"/> for <paramref name="patientId"/>; empty when valid.</summary>
    public IReadOnlyList<QuestionnaireProblem> Validate(QuestionnaireResponse response, TailoredQuestionnaire tailored, string patientId)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(tailored);
        var problems = new List<QuestionnaireProblem>();
        if (tailored.Questionnaire is not { } questionnaire)
        {
            return [new QuestionnaireProblem(null, $"Coverage assertion {tailored.AssertionId} has no questionnaire to answer. {tailored.NothingToAsk}")];
        }

        CheckCanonical(response, questionnaire, problems);
        if (response.Status is not (QuestionnaireResponse.QuestionnaireResponseStatus.Completed or QuestionnaireResponse.QuestionnaireResponseStatus.Amended))
        {
            problems.Add(new QuestionnaireProblem(null, $"Status is '{response.Status?.ToString() ?? "absent"}'; only a completed (or amended) response can be taken in."));
        }

        if (!PatientRecord.References(response.Subject, patientId))
        {
            problems.Add(new QuestionnaireProblem(null, $"Subject '{response.Subject?.Reference}' is not Patient/{patientId}, the patient of the coverage assertion."));
        }

        var questions = questionnaire.Item.SelectMany(g => g.Item.Prepend(g)).Where(i => i.LinkId is not null).ToDictionary(i => i.LinkId!, StringComparer.Ordinal);
        var answers = new ResponseAnswers(response.Item);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        CheckItems(response.Item, questions, answers, seen, problems);

        foreach (var question in questionnaire.Item.SelectMany(g => g.Item))
        {
            if (question.Required == true && answers.IsEnabled(question) && !answers.IsAnswered(question.LinkId!))
            {
                problems.Add(new QuestionnaireProblem(question.LinkId, $"'{question.Text}' is required and has no answer."));
            }
        }

        return problems;
    }

    /// <summary>The evidence a valid response adds (call <see cref="Validate"/> first).</summary>
    public DocumentationEvidence ToEvidence(QuestionnaireResponse response, TailoredQuestionnaire tailored)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(tailored);
        var responseId = response.Id ?? StableIds.FhirId("qr", tailored.AssertionId, response.Authored ?? string.Empty);
        var responseReference = "QuestionnaireResponse/" + responseId;
        var resources = new List<Resource>();
        var attested = new List<AttestedAnswer>();
        var observations = new Dictionary<string, Observation>(StringComparer.Ordinal);
        string? imagingModalityAuthor = null;
        Coding? modality = null;
        string? imagingDate = null;
        var imagingOrigin = InformationOrigin.NotStated;

        foreach (var (item, answer) in Answered(response.Item))
        {
            var question = _master.Find(item.LinkId!);
            if (question is null || answer.Value is null)
            {
                continue;
            }

            // An answer without information-origin was given by the person who sent the response: manual.
            var origin = OriginOf(answer) is var stated && stated == InformationOrigin.NotStated ? InformationOrigin.Manual : stated;
            var author = AuthorOf(answer, item) ?? response.Author?.Reference;
            if (question.IsImagingDetail)
            {
                modality = answer.Value as Coding ?? modality;
                imagingDate = (answer.Value as Date)?.Value ?? imagingDate;
                imagingModalityAuthor ??= author;
                imagingOrigin = imagingOrigin == InformationOrigin.NotStated || origin != InformationOrigin.Auto ? origin : imagingOrigin;
                continue;
            }

            if (question.EvidenceCode is not { } code)
            {
                continue;
            }

            var key = code.System + "|" + code.Code;
            if (question.Type == Questionnaire.QuestionnaireItemType.Choice && answer.Value is Coding activity)
            {
                // A limited activity is a component of the impairment finding, which it implies.
                if (!observations.TryGetValue(key, out var impairment))
                {
                    impairment = NewObservation(response, responseReference, question, code, new FhirBoolean(true), origin, author);
                    observations[key] = impairment;
                    resources.Add(impairment);
                }

                impairment.Component.Add(new Observation.ComponentComponent { Code = new CodeableConcept(activity.System, activity.Code, activity.Display), Value = new FhirBoolean(true) });
                attested.Add(new AttestedAnswer(question.LinkId, question.Criteria, "Observation/" + impairment.Id, origin, author));
                continue;
            }

            var value = ObservationValue(code, answer.Value);
            if (observations.TryGetValue(key, out var existing))
            {
                existing.Value = value;
            }
            else
            {
                existing = NewObservation(response, responseReference, question, code, value, origin, author);
                observations[key] = existing;
                resources.Add(existing);
            }

            attested.Add(new AttestedAnswer(question.LinkId, question.Criteria, "Observation/" + existing.Id, origin, author));
        }

        if (modality is not null && imagingDate is not null)
        {
            var study = AttestedImaging(response, responseId, modality, imagingDate, imagingOrigin, imagingModalityAuthor);
            resources.Add(study);
            var criteria = _master.Find(DocumentationQuestionnaire.ImagingModalityLinkId)!.Criteria;
            attested.Add(new AttestedAnswer(DocumentationQuestionnaire.ImagingModalityLinkId, criteria, "ImagingStudy/" + study.Id, imagingOrigin, imagingModalityAuthor));
        }

        return new DocumentationEvidence(responseReference, resources, attested);
    }

    /// <summary>The DTR information-origin of an answer (2.0.1 and 2.2 codes).</summary>
    public static InformationOrigin OriginOf(QuestionnaireResponse.AnswerComponent answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var source = (answer.GetExtension(DtrCodes.InformationOriginUrl)?.GetExtension("source")?.Value as Code)?.Value;
        return source switch
        {
            "auto" or "auto-client" or "auto-server" => InformationOrigin.Auto,
            "override" => InformationOrigin.Override,
            "manual" => InformationOrigin.Manual,
            _ => InformationOrigin.NotStated,
        };
    }

    private void CheckCanonical(QuestionnaireResponse response, Questionnaire questionnaire, List<QuestionnaireProblem> problems)
    {
        var named = response.Questionnaire ?? string.Empty;
        if (named.StartsWith('#'))
        {
            var contained = response.Contained.OfType<Questionnaire>().FirstOrDefault(q => q.Id == named[1..]);
            named = contained is null ? named : contained.Url + (contained.Version is null ? string.Empty : "|" + contained.Version);
        }

        var bar = named.IndexOf('|', StringComparison.Ordinal);
        var url = bar < 0 ? named : named[..bar];
        var version = bar < 0 ? null : named[(bar + 1)..];
        if (url != questionnaire.Url || (version is not null && version != questionnaire.Version))
        {
            problems.Add(new QuestionnaireProblem(null, $"The response answers '{response.Questionnaire}', not this assertion's questionnaire {questionnaire.Url}|{questionnaire.Version}."));
        }
    }

    private void CheckItems(
        IEnumerable<QuestionnaireResponse.ItemComponent> items,
        Dictionary<string, Questionnaire.ItemComponent> questions,
        ResponseAnswers answers,
        HashSet<string> seen,
        List<QuestionnaireProblem> problems)
    {
        foreach (var item in items)
        {
            var linkId = item.LinkId ?? string.Empty;
            if (!questions.TryGetValue(linkId, out var question))
            {
                problems.Add(new QuestionnaireProblem(linkId, $"linkId '{linkId}' is not a question of this questionnaire."));
                continue;
            }

            if (!seen.Add(linkId))
            {
                problems.Add(new QuestionnaireProblem(linkId, $"linkId '{linkId}' appears more than once."));
            }

            if (question.Type == Questionnaire.QuestionnaireItemType.Group)
            {
                if (item.Answer.Count > 0)
                {
                    problems.Add(new QuestionnaireProblem(linkId, "A section takes no answer."));
                }

                CheckItems(item.Item, questions, answers, seen, problems);
                continue;
            }

            if (item.Answer.Count > 0 && !answers.IsEnabled(question))
            {
                problems.Add(new QuestionnaireProblem(linkId, $"'{question.Text}' is not enabled by the other answers, so it must not be answered."));
            }

            if (item.Answer.Count > 1 && question.Repeats != true)
            {
                problems.Add(new QuestionnaireProblem(linkId, $"'{question.Text}' takes one answer; {item.Answer.Count} were given."));
            }

            foreach (var answer in item.Answer)
            {
                if (CheckAnswer(question, answer.Value) is { } message)
                {
                    problems.Add(new QuestionnaireProblem(linkId, message));
                }
            }
        }
    }

    private string? CheckAnswer(Questionnaire.ItemComponent question, DataType? value)
    {
        var type = question.Type ?? Questionnaire.QuestionnaireItemType.String;
        var expected = type switch
        {
            Questionnaire.QuestionnaireItemType.Boolean => typeof(FhirBoolean),
            Questionnaire.QuestionnaireItemType.Decimal => typeof(FhirDecimal),
            Questionnaire.QuestionnaireItemType.Integer => typeof(Integer),
            Questionnaire.QuestionnaireItemType.Date => typeof(Date),
            Questionnaire.QuestionnaireItemType.DateTime => typeof(FhirDateTime),
            Questionnaire.QuestionnaireItemType.Choice or Questionnaire.QuestionnaireItemType.OpenChoice => typeof(Coding),
            Questionnaire.QuestionnaireItemType.Quantity => typeof(Quantity),
            _ => typeof(FhirString),
        };
        if (value is null || value.GetType() != expected)
        {
            return $"'{question.Text}' is a {type.ToString().ToLowerInvariant()} question; the answer is {(value is null ? "empty" : value.TypeName)}.";
        }

        // The served questionnaire lists short answer lists inline; the master names the ValueSet behind them.
        var listUrl = (question.LinkId is { } id ? _master.Find(id)?.Item.AnswerValueSet : null) ?? question.AnswerValueSet;
        if (value is Coding coding && listUrl is { } url && _policy.ValueSets.All.TryGetValue(url, out var allowed) && !allowed.Contains(coding))
        {
            return $"'{coding.System}|{coding.Code}' is not in the answer list {url}.";
        }

        if (value is Coding option && listUrl is null && question.AnswerOption.Count > 0
            && !question.AnswerOption.Any(o => o.Value is Coding c && c.System == option.System && c.Code == option.Code))
        {
            return $"'{option.System}|{option.Code}' is not one of the answer options of '{question.Text}'.";
        }

        var number = value switch
        {
            FhirDecimal d => d.Value,
            Integer i => i.Value,
            _ => null,
        };
        var min = (question.GetExtension(DtrCodes.MinValueUrl)?.Value as FhirDecimal)?.Value;
        var max = (question.GetExtension(DtrCodes.MaxValueUrl)?.Value as FhirDecimal)?.Value;
        if (number is { } n && ((min is { } lo && n < lo) || (max is { } hi && n > hi)))
        {
            return $"'{question.Text}': {n.ToString(CultureInfo.InvariantCulture)} is outside {min?.ToString(CultureInfo.InvariantCulture)}-{max?.ToString(CultureInfo.InvariantCulture)}.";
        }

        return value is Date date && ClinicalDateText(date) is null ? $"'{question.Text}': '{date.Value}' is not a date." : null;
    }

    private static string? ClinicalDateText(Date date) => Criteria.ClinicalDate.Parse(date.Value)?.Text;

    /// <summary>Every answer of the items, nested items included, with the item it answers.</summary>
    public static IEnumerable<(QuestionnaireResponse.ItemComponent Item, QuestionnaireResponse.AnswerComponent Answer)> Answered(IEnumerable<QuestionnaireResponse.ItemComponent> items)
    {
        foreach (var item in items)
        {
            foreach (var answer in item.Answer)
            {
                yield return (item, answer);
            }

            foreach (var nested in Answered(item.Item))
            {
                yield return nested;
            }
        }
    }

    /// <summary>The author in the information-origin extension (2.0.1 valueReference or a nested reference), else the item's author extension.</summary>
    private static string? AuthorOf(QuestionnaireResponse.AnswerComponent answer, QuestionnaireResponse.ItemComponent item)
    {
        var author = answer.GetExtension(DtrCodes.InformationOriginUrl)?.GetExtension("author");
        var reference = author?.Value as ResourceReference ?? author?.Extension.Select(e => e.Value).OfType<ResourceReference>().FirstOrDefault();
        return reference?.Reference ?? (item.GetExtension(DtrCodes.ItemAuthorUrl)?.Value as ResourceReference)?.Reference;
    }

    /// <summary>The answer as an Observation value: scores and percentages as Quantities, by the ValueSet their code is in.</summary>
    private DataType ObservationValue(Coding code, DataType answer) => answer switch
    {
        Date date when code.Code == FindingCodes.PainOnset => new FhirDateTime(date.Value),
        FhirDecimal score when _policy.ValueSets["pain-severity-score"].Contains(code) => new Quantity(score.Value ?? 0m, "{score}"),
        FhirDecimal percent when _policy.ValueSets["disability-score-odi"].Contains(code) || code.Code == FindingCodes.VertebralHeightLoss => new Quantity(percent.Value ?? 0m, "%"),
        _ => (DataType)answer.DeepCopy(),
    };

    private static Observation NewObservation(QuestionnaireResponse response, string responseReference, DocumentationItem question, Coding code, DataType value, InformationOrigin origin, string? author)
    {
        var observation = new Observation
        {
            Id = StableIds.FhirId("vad-att", responseReference, question.LinkId),
            Meta = new Meta { Tag = [OriginTag(origin)] },
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(code.System, code.Code, code.Display),
            Subject = (ResourceReference?)response.Subject?.DeepCopy(),
            Effective = response.Authored is { } authored ? new FhirDateTime(authored) : null,
            Value = value,
            DerivedFrom = [new ResourceReference(responseReference)],
        };
        if (author is not null)
        {
            observation.Performer.Add(new ResourceReference(author));
        }

        return observation;
    }

    private static ImagingStudy AttestedImaging(QuestionnaireResponse response, string responseId, Coding modality, string date, InformationOrigin origin, string? author)
    {
        var id = StableIds.FhirId("vad-img", responseId);

        // Series uid must be an OID: 2.25 + a number from the same hash (UUID-derived OID arc).
        var uid = "2.25." + new BigInteger(Convert.FromHexString(StableIds.Hash("series", id)[..30]), isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
        var study = new ImagingStudy
        {
            Id = id,
            Meta = new Meta { Tag = [OriginTag(origin)] },
            Status = ImagingStudy.ImagingStudyStatus.Available,
            Subject = (ResourceReference)response.Subject!.DeepCopy(),
            Started = date,
            Modality = [new Coding(modality.System, modality.Code, modality.Display)],
            Series = [new ImagingStudy.SeriesComponent { Uid = uid, Modality = new Coding(modality.System, modality.Code, modality.Display), BodySite = SpineBodySite }],
            Note = [new Annotation { Text = new Markdown("Reported in QuestionnaireResponse/" + responseId + (author is null ? string.Empty : " by " + author) + ".") }],
        };
        if (author is not null)
        {
            study.Interpreter.Add(new ResourceReference(author));
        }

        return study;
    }

    private static Coding OriginTag(InformationOrigin origin) => new(DtrCodes.DtrTempSystem, origin switch
    {
        InformationOrigin.Auto => "auto",
        InformationOrigin.Override => "override",
        _ => "manual",
    });
}
