using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// Builds the DTR <c>$questionnaire-package</c> answer: per tailored Questionnaire a collection Bundle holding the
/// Questionnaire first, every ValueSet its items reference (expanded when enumerable and under 40 codes, else the
/// definition as published, with the ValueSets it includes), and one draft QuestionnaireResponse pre-filled with
/// the evidence the service holds. No Library: pre-population is FHIRPath/x-fhir-query plus server-side answers
/// (the DTR 2.0.1 kit expects CQL Libraries; see fhir-resources/README.md). Pure: time comes in.
/// </summary>
public sealed class QuestionnairePackageBuilder
{
    /// <summary>DTR: ValueSets with fewer codes than this are shipped expanded.</summary>
    public const int MaxExpandedCodes = 40;

    private readonly CoveragePolicy _policy;
    private readonly DocumentationSettings _settings;

    public QuestionnairePackageBuilder(CoveragePolicy policy, DocumentationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(settings));
        }

        _policy = policy;
        _settings = settings;
    }

    /// <summary>The package Bundle for one tailored Questionnaire of <paramref name="assertion"/>.</summary>
    public Bundle Build(TailoredQuestionnaire tailored, CoverageAssertion assertion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tailored);
        ArgumentNullException.ThrowIfNull(assertion);
        var questionnaire = tailored.Questionnaire ?? throw new ArgumentException("There is nothing to ask: " + tailored.NothingToAsk, nameof(tailored));
        var bundle = new Bundle
        {
            Id = StableIds.FhirId("vad-package", assertion.AssertionId, questionnaire.Url ?? string.Empty),
            Type = Bundle.BundleType.Collection,
            Timestamp = now,
        };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = questionnaire.Url, Resource = (Questionnaire)questionnaire.DeepCopy() });
        foreach (var valueSet in ValueSetsFor(questionnaire, now))
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = valueSet.Url, Resource = valueSet });
        }

        var draft = DraftResponse(tailored, assertion, now);
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = StableIds.Urn("qr", assertion.AssertionId), Resource = draft });
        return bundle;
    }

    /// <summary>
    /// The initial draft QuestionnaireResponse: in progress, naming the Questionnaire by <c>url|version</c>, the
    /// patient, the Coverage and the order (qr-context; 2.2: qr-coverage), intendedUse <c>withpa</c>, and every
    /// pre-filled answer marked as payer-filled (information-origin <c>auto</c>; 2.2 <c>auto-server</c>).
    /// </summary>
    public QuestionnaireResponse DraftResponse(TailoredQuestionnaire tailored, CoverageAssertion assertion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tailored);
        ArgumentNullException.ThrowIfNull(assertion);
        var questionnaire = tailored.Questionnaire ?? throw new ArgumentException("There is nothing to ask: " + tailored.NothingToAsk, nameof(tailored));
        var response = new QuestionnaireResponse
        {
            Id = StableIds.FhirId("vad-qr", assertion.AssertionId),
            Meta = new Meta { Profile = [DtrCodes.QuestionnaireResponseProfile] },
            Questionnaire = tailored.Canonical,
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Subject = new ResourceReference(assertion.PatientReference),
            Authored = now.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
        };

        if (assertion.CoverageReference is { } coverage)
        {
            response.Extension.Add(new Extension(_settings.IsDtr22 ? DtrCodes.QrCoverageUrl : DtrCodes.QrContextUrl, Typed(coverage)));
        }

        response.Extension.Add(new Extension(DtrCodes.QrContextUrl, Typed(assertion.OrderReference)));
        response.Extension.Add(new Extension(DtrCodes.IntendedUseUrl, new CodeableConcept(DtrCodes.CrdTempSystem, "withpa", "Include with prior authorization request")));

        foreach (var group in questionnaire.Item)
        {
            var answered = group.Item.Where(i => i.LinkId is { } id && tailored.Prefill.ContainsKey(id)).ToList();
            if (answered.Count == 0)
            {
                continue;
            }

            response.Item.Add(new QuestionnaireResponse.ItemComponent
            {
                LinkId = group.LinkId,
                Text = group.Text,
                Item = answered.Select(i => new QuestionnaireResponse.ItemComponent
                {
                    LinkId = i.LinkId,
                    Text = i.Text,
                    Answer = [PayerAnswer(tailored.Prefill[i.LinkId!])],
                }).ToList(),
            });
        }

        return response;
    }

    /// <summary>The <c>$questionnaire-package</c> output: one <c>PackageBundle</c> per Questionnaire and an optional <c>outcome</c>.</summary>
    public static Parameters Output(IEnumerable<Bundle> packages, OperationOutcome? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var parameters = new Parameters();
        foreach (var package in packages)
        {
            parameters.Parameter.Add(new Parameters.ParameterComponent { Name = DtrCodes.PackageBundleParameter, Resource = package });
        }

        if (outcome is not null)
        {
            parameters.Parameter.Add(new Parameters.ParameterComponent { Name = DtrCodes.OutcomeParameter, Resource = outcome });
        }

        return parameters;
    }

    /// <summary>Why an assertion that needed documentation yields no questionnaire (informational; the host returns it).</summary>
    public static OperationOutcome NothingToAskOutcome(TailoredQuestionnaire tailored)
    {
        ArgumentNullException.ThrowIfNull(tailored);
        return new OperationOutcome
        {
            Issue =
            [
                new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Information,
                    Code = OperationOutcome.IssueType.Informational,
                    Diagnostics = $"Coverage assertion {tailored.AssertionId}: no questionnaire. {tailored.NothingToAsk}",
                },
            ],
        };
    }

    private QuestionnaireResponse.AnswerComponent PayerAnswer(DataType value)
    {
        var answer = new QuestionnaireResponse.AnswerComponent { Value = (DataType)value.DeepCopy() };

        // dtrx-1: an auto answer carries no author.
        answer.Extension.Add(new Extension { Url = DtrCodes.InformationOriginUrl, Extension = [new Extension("source", new Code(_settings.PayerPrefilledSource))] });
        return answer;
    }

    private static ResourceReference Typed(string reference) => new(reference) { Type = reference.Split('/')[0] };

    private List<ValueSet> ValueSetsFor(Questionnaire questionnaire, DateTimeOffset now)
    {
        var result = new List<ValueSet>();
        var pending = new Queue<string>(questionnaire.Item.SelectMany(g => g.Item).Select(i => i.AnswerValueSet).OfType<string>().Distinct(StringComparer.Ordinal));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var url = pending.Dequeue();
            if (!seen.Add(url) || !_policy.ValueSetResources.TryGetValue(url, out var published))
            {
                continue;
            }

            var valueSet = (ValueSet)published.DeepCopy();
            var codes = _policy.ValueSets.All.TryGetValue(url, out var compiled) ? compiled.Enumerate() : null;
            if (codes is not null && codes.Count < MaxExpandedCodes)
            {
                valueSet.Expansion = new ValueSet.ExpansionComponent
                {
                    Identifier = StableIds.Urn("expansion", url, valueSet.Version ?? string.Empty),
                    Timestamp = now.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
                    Total = codes.Count,
                    Contains = codes.Select(c => new ValueSet.ContainsComponent { System = c.System, Code = c.Code, Display = c.Display }).ToList(),
                };
            }
            else
            {
                // Shipped as defined; the ValueSets it includes travel with it.
                foreach (var include in valueSet.Compose?.Include ?? [])
                {
                    foreach (var imported in include.ValueSet.OfType<string>())
                    {
                        pending.Enqueue(imported);
                    }
                }
            }

            result.Add(valueSet);
        }

        return result;
    }
}
