using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// Builds the DTR <c>$questionnaire-package</c> answer: per tailored Questionnaire a collection Bundle holding the
/// Questionnaire first, every ValueSet its items or its Libraries reference (expanded when enumerable and under 40 codes, else the
/// definition as published, with the ValueSets it includes), and one draft QuestionnaireResponse pre-filled with
/// the evidence the service holds, and the CQL Libraries the Questionnaire's pre-population names (CQL and ELM).
/// Pure: time comes in.
/// </summary>
public sealed class QuestionnairePackageBuilder
{
    /// <summary>DTR: ValueSets with fewer codes than this are shipped expanded.</summary>
    public const int MaxExpandedCodes = 40;

    private readonly DocumentationSettings _settings;
    private readonly ValueSetExpansion _valueSets;

    private readonly IReadOnlyList<Library> _libraries;

    /// <param name="libraries">The CQL Libraries the master questionnaire names (<see cref="DocumentationQuestionnaire.Libraries"/>).</param>
    public QuestionnairePackageBuilder(CoveragePolicy policy, DocumentationSettings settings, IReadOnlyList<Library>? libraries = null)
    {
        _libraries = libraries ?? [];
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(settings));
        }

        _settings = settings;
        _valueSets = new ValueSetExpansion(policy);
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
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrlOf(questionnaire), Resource = (Questionnaire)questionnaire.DeepCopy() });
        AddValueSetsAndLibraries(bundle, questionnaire, now);
        var draft = DraftResponse(tailored, assertion, now);
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = StableIds.Urn("qr", assertion.AssertionId), Resource = draft });
        return bundle;
    }

    /// <summary>
    /// The package of the adaptive form: the adaptive Questionnaire first (its first section, as
    /// <see cref="NextQuestionEngine.AdaptiveShell"/> gives it), the ValueSets and Libraries it names, and a draft
    /// QuestionnaireResponse that contains it (<c>questionnaire = #id</c>) with the payer's pre-filled answers to
    /// that section, ready to send to <c>$next-question</c>.
    /// </summary>
    public Bundle BuildAdaptive(Questionnaire adaptive, TailoredQuestionnaire tailored, CoverageAssertion assertion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(adaptive);
        var draft = DraftResponse(tailored, assertion, now, adaptive.Item);
        draft.Id = StableIds.FhirId("vad-qr-adaptive", assertion.AssertionId);
        draft.Contained = [(Questionnaire)adaptive.DeepCopy()];
        draft.Questionnaire = "#" + adaptive.Id;
        ResponseProfiles.Reconcile(draft);
        var bundle = new Bundle
        {
            Id = StableIds.FhirId("vad-package-adaptive", assertion.AssertionId),
            Type = Bundle.BundleType.Collection,
            Timestamp = now,
        };

        // On its own in the Bundle it cannot meet sdc-adapt-1 (contained in a response): it claims DTR's search form.
        var entry = (Questionnaire)adaptive.DeepCopy();
        entry.Meta = new Meta { Profile = [DtrCodes.DtrAdaptiveSearchQuestionnaireProfile] };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = StableIds.Urn("q-adaptive", assertion.AssertionId), Resource = entry });
        AddValueSetsAndLibraries(bundle, adaptive, now);
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = StableIds.Urn("qr-adaptive", assertion.AssertionId), Resource = draft });
        return bundle;
    }

    /// <summary>
    /// The package of the master Questionnaire, for a request that names its canonical but no coverage assertion:
    /// nothing is tailored or pre-filled (the DTR app pre-populates from the EHR); the draft names the Coverage
    /// (and the orders, when sent) in qr-context. Answers to it are matched to the order's open assertion.
    /// </summary>
    public Bundle BuildUntailored(Questionnaire master, Hl7.Fhir.Model.Coverage coverage, IReadOnlyList<Resource> orders, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(coverage);
        ArgumentNullException.ThrowIfNull(orders);
        var coverageKey = coverage.Id ?? coverage.Beneficiary?.Reference ?? string.Empty;
        var bundle = new Bundle
        {
            Id = StableIds.FhirId("vad-package", master.Url ?? string.Empty, master.Version ?? string.Empty, coverageKey),
            Type = Bundle.BundleType.Collection,
            Timestamp = now,
        };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrlOf(master), Resource = (Questionnaire)master.DeepCopy() });
        AddValueSetsAndLibraries(bundle, master, now);

        var draft = new QuestionnaireResponse
        {
            Id = StableIds.FhirId("vad-qr", master.Url ?? string.Empty, coverageKey),
            Meta = new Meta { Profile = [DtrCodes.QuestionnaireResponseProfile] },
            Questionnaire = master.Url + "|" + master.Version,
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Subject = coverage.Beneficiary is { Reference: { } patient } ? new ResourceReference(patient) : null,
            Authored = now.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (coverage.Id is { } coverageId)
        {
            draft.Extension.Add(new Extension(_settings.IsDtr22 ? DtrCodes.QrCoverageUrl : DtrCodes.QrContextUrl, Typed("Coverage/" + coverageId)));
        }

        foreach (var order in orders.Where(o => o.Id is not null))
        {
            draft.Extension.Add(new Extension(DtrCodes.QrContextUrl, Typed(order.TypeName + "/" + order.Id)));
        }

        draft.Extension.Add(new Extension(DtrCodes.IntendedUseUrl, new CodeableConcept(DtrCodes.CrdTempSystem, "withpa", "Include with prior authorization request")));

        // Nothing is pre-filled here, so dtr-questionnaireresponse (item 1..*, qr-context 2..*) is not claimed.
        ResponseProfiles.Reconcile(draft);
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = StableIds.Urn("qr", master.Url ?? string.Empty, coverageKey), Resource = draft });
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
        var questionnaire = tailored.Questionnaire ?? throw new ArgumentException("There is nothing to ask: " + tailored.NothingToAsk, nameof(tailored));
        return DraftResponse(tailored, assertion, now, questionnaire.Item);
    }

    /// <summary>The draft with pre-filled answers to the items of <paramref name="sections"/> only.</summary>
    private QuestionnaireResponse DraftResponse(TailoredQuestionnaire tailored, CoverageAssertion assertion, DateTimeOffset now, IEnumerable<Questionnaire.ItemComponent> sections)
    {
        ArgumentNullException.ThrowIfNull(tailored);
        ArgumentNullException.ThrowIfNull(assertion);
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

        foreach (var group in sections)
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

        ResponseProfiles.Reconcile(response);
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

    /// <summary>
    /// The entry's fullUrl: the canonical's base with <c>{type}/{id}</c>, which a Bundle entry's fullUrl must end with
    /// (tailorings share the master's url, and the Library's id is not its name).
    /// </summary>
    private static string FullUrlOf(Resource resource, string? canonical)
    {
        var url = canonical ?? string.Empty;
        var marker = "/" + resource.TypeName + "/";
        var at = url.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 || resource.Id is null ? url : url[..at] + marker + resource.Id;
    }

    private static string FullUrlOf(Questionnaire questionnaire) => FullUrlOf(questionnaire, questionnaire.Url);

    /// <summary>The ValueSets the Questionnaire's items answer from, and every Library its cqf-library names (CQL and ELM).</summary>
    private void AddValueSetsAndLibraries(Bundle bundle, Questionnaire questionnaire, DateTimeOffset now)
    {
        var libraries = LibrariesNamedBy(questionnaire).ToList();
        foreach (var valueSet in ValueSetsFor(questionnaire, now, libraries))
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrlOf(valueSet, valueSet.Url), Resource = valueSet });
        }

        foreach (var library in libraries)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrlOf(library, library.Url), Resource = (Library)library.DeepCopy() });
        }
    }

    /// <summary>The Libraries a cqf-library canonical (<c>url</c> or <c>url|version</c>) of the Questionnaire names.</summary>
    private IEnumerable<Library> LibrariesNamedBy(Questionnaire questionnaire)
    {
        var named = questionnaire.GetExtensions(DtrCodes.CqfLibraryUrl).Select(e => (e.Value as Canonical)?.Value).OfType<string>().ToList();
        return _libraries.Where(l => named.Any(n => n == l.Url || n == l.Url + "|" + l.Version));
    }

    private static ResourceReference Typed(string reference) => new(reference) { Type = reference.Split('/')[0] };

    /// <summary>
    /// The ValueSets the items answer from and those the Libraries depend on: a DTR app executes the CQL's
    /// <c>in ValueSet</c> tests from the package, without a terminology server.
    /// </summary>
    private List<ValueSet> ValueSetsFor(Questionnaire questionnaire, DateTimeOffset now, IEnumerable<Library> libraries)
    {
        var result = new List<ValueSet>();
        var libraryValueSets = libraries.SelectMany(l => l.RelatedArtifact)
            .Where(a => a.Type == RelatedArtifact.RelatedArtifactType.DependsOn)
            .Select(a => a.Resource);
        var pending = new Queue<string>(AllItems(questionnaire.Item).Select(i => i.AnswerValueSet).Concat(libraryValueSets).OfType<string>().Distinct(StringComparer.Ordinal));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var canonical = pending.Dequeue();
            if (_valueSets.Find(canonical) is not { } published || !seen.Add(published.Url!))
            {
                continue;
            }

            var codes = _valueSets.Codes(published.Url!);
            if (codes is { Count: < MaxExpandedCodes })
            {
                result.Add(_valueSets.Expand(published.Url!, now)!);
                continue;
            }

            // Shipped as defined; the ValueSets it includes travel with it.
            foreach (var include in published.Compose?.Include ?? [])
            {
                foreach (var imported in include.ValueSet.OfType<string>())
                {
                    pending.Enqueue(imported);
                }
            }

            result.Add((ValueSet)published.DeepCopy());
        }

        return result;
    }

    private static IEnumerable<Questionnaire.ItemComponent> AllItems(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => AllItems(i.Item).Prepend(i));
}
