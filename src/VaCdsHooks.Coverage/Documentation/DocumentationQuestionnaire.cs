using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>One answerable item of the master Questionnaire and what it answers.</summary>
/// <param name="LinkId">The item's linkId.</param>
/// <param name="GroupLinkId">The linkId of the section (group) it belongs to.</param>
/// <param name="Item">The item as published.</param>
/// <param name="Criteria">The criteria it answers (criterion CodeSystem codes on <c>item.code</c>).</param>
/// <param name="EvidenceCode">The finding or LOINC code an answer is recorded under; null for narrative items.</param>
/// <param name="AskedWhenFlag">A criterion flag that gates this follow-up, if any.</param>
public sealed record DocumentationItem(
    string LinkId,
    string GroupLinkId,
    Questionnaire.ItemComponent Item,
    IReadOnlyList<string> Criteria,
    Coding? EvidenceCode,
    string? AskedWhenFlag)
{
    public Questionnaire.QuestionnaireItemType Type => Item.Type ?? Questionnaire.QuestionnaireItemType.String;

    /// <summary>Narrative items stay in the QuestionnaireResponse for the reviewer; they create no evidence.</summary>
    public bool IsNarrative => EvidenceCode is null && !IsImagingDetail;

    /// <summary>Imaging modality/date answers together become an attested ImagingStudy.</summary>
    public bool IsImagingDetail => LinkId is DocumentationQuestionnaire.ImagingModalityLinkId or DocumentationQuestionnaire.ImagingDateLinkId;
}

/// <summary>
/// The master documentation Questionnaire (fhir-resources/Questionnaire), loaded once at start, checked against
/// the policy (url and version, unique linkIds, every item coded to a known criterion, finding codes and answer
/// ValueSets that exist, enableWhen questions that exist) and indexed by linkId. Immutable; never hand it out
/// for mutation: builders deep-copy items.
/// </summary>
public sealed class DocumentationQuestionnaire
{
    public const string FileName = "vertebral-augmentation-documentation.json";
    public const string ImagingModalityLinkId = "imaging.modality";
    public const string ImagingDateLinkId = "imaging.date";
    public const string IndicationKindLinkId = "indication.kind";
    public const string ActivitiesLimitedLinkId = "pain.activities-limited";
    public const string TreatedLevelLinkId = "indication.treated-level";

    private readonly Dictionary<string, DocumentationItem> _items;

    private DocumentationQuestionnaire(Questionnaire questionnaire, List<DocumentationItem> items)
    {
        Questionnaire = questionnaire;
        Items = items;
        _items = items.ToDictionary(i => i.LinkId, StringComparer.Ordinal);
    }

    /// <summary>The Questionnaire as published (do not modify).</summary>
    public Questionnaire Questionnaire { get; }

    /// <summary>The CQL Libraries its <c>cqf-library</c> names (CQL source and ELM), shipped in every package (do not modify).</summary>
    public IReadOnlyList<Library> Libraries { get; private set; } = [];

    /// <summary>Every answerable item in document order.</summary>
    public IReadOnlyList<DocumentationItem> Items { get; }

    public string Url => Questionnaire.Url ?? string.Empty;

    public string Version => Questionnaire.Version ?? string.Empty;

    /// <summary><c>url|version</c> of the master.</summary>
    public string VersionedCanonical => Url + "|" + Version;

    public DocumentationItem? Find(string linkId) => _items.GetValueOrDefault(linkId);

    /// <summary>Reads <c>Questionnaire/vertebral-augmentation-documentation.json</c> with the strict Firely parser and checks it.</summary>
    /// <exception cref="PolicyArtifactException">The file is missing, malformed or inconsistent with the policy.</exception>
    public static DocumentationQuestionnaire Load(string fhirResourcesDirectory, CoveragePolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fhirResourcesDirectory);
        ArgumentNullException.ThrowIfNull(policy);
        var path = Path.Combine(fhirResourcesDirectory, "Questionnaire", FileName);
        if (!File.Exists(path))
        {
            throw new PolicyArtifactException($"Missing documentation Questionnaire {path}.");
        }

        Resource? resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(File.ReadAllText(path), new JsonSerializerOptions().ForFhir());
        }
        catch (Exception ex) when (ex is JsonException or DeserializationFailedException or IOException)
        {
            throw new PolicyArtifactException($"{FileName}: not a valid FHIR resource: {ex.Message}", ex);
        }

        if (resource is not Questionnaire questionnaire)
        {
            throw new PolicyArtifactException($"{FileName}: expected a Questionnaire, found {resource?.TypeName ?? "nothing"}.");
        }

        var master = From(questionnaire, policy, FileName);
        master.Libraries = LoadLibraries(fhirResourcesDirectory, questionnaire);
        return master;
    }

    /// <summary>
    /// The Libraries the Questionnaire names in <c>cqf-library</c>, from <c>Library/*.json</c>: each must exist with the
    /// named url and version and carry both <c>text/cql</c> and <c>application/elm+json</c> (DTR: every Library
    /// SHALL carry both).
    /// </summary>
    private static List<Library> LoadLibraries(string fhirResourcesDirectory, Questionnaire questionnaire)
    {
        var named = questionnaire.Extension.Where(e => e.Url == DtrCodes.CqfLibraryUrl).Select(e => (e.Value as Canonical)?.Value).OfType<string>().ToList();
        var directory = Path.Combine(fhirResourcesDirectory, "Library");
        var available = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal)
                .Select(file => (File: Path.GetFileName(file), Resource: TryRead(file)))
                .Where(x => x.Resource is Library)
                .Select(x => (x.File, Library: (Library)x.Resource!))
                .ToList()
            : [];
        var libraries = new List<Library>();
        var errors = new List<string>();
        foreach (var canonical in named)
        {
            var (url, version) = (canonical.Split('|')[0], canonical.Contains('|', StringComparison.Ordinal) ? canonical.Split('|')[1] : null);
            var found = available.FirstOrDefault(a => a.Library.Url == url && (version is null || a.Library.Version == version));
            if (found.Library is null)
            {
                errors.Add($"cqf-library {canonical} is not a Library in fhir-resources/Library.");
                continue;
            }

            var types = found.Library.Content.Select(c => c.ContentType).ToHashSet(StringComparer.Ordinal);
            if (!types.Contains("text/cql") || !types.Contains("application/elm+json"))
            {
                errors.Add($"{found.File}: a Library must carry both text/cql and application/elm+json content.");
            }

            libraries.Add(found.Library);
        }

        if (named.Count == 0)
        {
            errors.Add("the Questionnaire names no cqf-library: DTR pre-population logic is CQL.");
        }

        return errors.Count > 0 ? throw new PolicyArtifactException($"{FileName}: " + string.Join(" ", errors)) : libraries;

        // The folder also holds the ELM JSON beside its CQL: only FHIR Library resources are read as such.
        static Resource? TryRead(string file)
        {
            try
            {
                var text = File.ReadAllText(file);
                using (var peek = JsonDocument.Parse(text))
                {
                    if (!peek.RootElement.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Library")
                    {
                        return null;
                    }
                }

                return JsonSerializer.Deserialize<Resource>(text, new JsonSerializerOptions().ForFhir());
            }
            catch (Exception ex) when (ex is JsonException or DeserializationFailedException or IOException)
            {
                throw new PolicyArtifactException($"{Path.GetFileName(file)}: not a valid FHIR resource: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Checks and indexes an already parsed Questionnaire (<paramref name="source"/> names it in errors).</summary>
    public static DocumentationQuestionnaire From(Questionnaire questionnaire, CoveragePolicy policy, string source)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<string>();
        var settings = policy.Settings;
        if (questionnaire.Url != settings.QuestionnaireCanonical)
        {
            errors.Add($"url is '{questionnaire.Url}', but the policy sends '{settings.QuestionnaireCanonical}'.");
        }

        if (string.IsNullOrWhiteSpace(questionnaire.Version))
        {
            errors.Add("version is required (answers are matched to url|version).");
        }
        else if (!string.IsNullOrWhiteSpace(settings.QuestionnaireVersion) && settings.QuestionnaireVersion != questionnaire.Version)
        {
            errors.Add($"version is '{questionnaire.Version}', but the policy pins '{settings.QuestionnaireVersion}'.");
        }

        var items = new List<DocumentationItem>();
        var linkIds = new HashSet<string>(StringComparer.Ordinal);
        var criterionCodes = ConceptCodes(policy, CodeSystems.Criterion);
        var findingCodes = ConceptCodes(policy, CodeSystems.Finding);
        foreach (var group in questionnaire.Item)
        {
            CheckLinkId(group);
            if (group.Type != Questionnaire.QuestionnaireItemType.Group || group.Item.Count == 0)
            {
                errors.Add($"top-level item '{group.LinkId}' must be a non-empty group (a section).");
                continue;
            }

            foreach (var item in group.Item)
            {
                CheckLinkId(item);
                if (item.Item.Count > 0 || item.Type == Questionnaire.QuestionnaireItemType.Group)
                {
                    errors.Add($"item '{item.LinkId}': sections hold questions only, one level deep.");
                    continue;
                }

                var criteria = item.Code.Where(c => c.System == CodeSystems.Criterion).Select(c => c.Code ?? string.Empty).ToList();
                if (criteria.Count == 0)
                {
                    errors.Add($"item '{item.LinkId}' names no criterion (item.code with {CodeSystems.Criterion}).");
                }

                errors.AddRange(criteria.Where(c => !criterionCodes.Contains(c)).Select(c => $"item '{item.LinkId}' names unknown criterion '{c}'."));
                var evidence = item.Code.FirstOrDefault(c => c.System is CodeSystems.Finding or CodeSystems.Loinc);
                if (evidence is { System: CodeSystems.Finding } && !findingCodes.Contains(evidence.Code ?? string.Empty))
                {
                    errors.Add($"item '{item.LinkId}' names unknown finding '{evidence.Code}'.");
                }

                if (evidence is { System: CodeSystems.Loinc } && !policy.ValueSets["pain-severity-score"].Contains(evidence) && !policy.ValueSets["disability-score-odi"].Contains(evidence))
                {
                    errors.Add($"item '{item.LinkId}': LOINC {evidence.Code} is not a score the engine reads.");
                }

                if (item.AnswerValueSet is { } answerValueSet && !policy.ValueSets.All.ContainsKey(answerValueSet))
                {
                    errors.Add($"item '{item.LinkId}': answerValueSet {answerValueSet} is not a ValueSet in fhir-resources/ValueSet.");
                }

                if (item.Type == Questionnaire.QuestionnaireItemType.Choice && item.AnswerValueSet is null && item.AnswerOption.Count == 0)
                {
                    errors.Add($"choice item '{item.LinkId}' has neither answerValueSet nor answerOption.");
                }

                var flag = (item.GetExtension(DtrCodes.AskedWhenFlagUrl)?.Value as Code)?.Value;
                items.Add(new DocumentationItem(item.LinkId ?? string.Empty, group.LinkId ?? string.Empty, item, criteria, evidence, flag));
            }
        }

        // Every criterion can be documented: a criterion the questionnaire cannot ask about could never leave "unknown".
        var asked = items.SelectMany(i => i.Criteria).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(Criteria.CriteriaEvaluator.All.Where(c => !asked.Contains(c.Id)).Select(c => $"no item documents criterion '{c.Id}'."));

        // Every answer the criteria read as a finding has a question that records it.
        var recorded = items.Select(i => i.EvidenceCode).Where(c => c?.System == CodeSystems.Finding).Select(c => c!.Code).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(Criteria.CriteriaEvaluator.All.SelectMany(c => c.FindingsRead.Select(f => (Criterion: c.Id, Finding: f)))
            .Where(x => !recorded.Contains(x.Finding))
            .Select(x => $"criterion '{x.Criterion}' reads finding '{x.Finding}', but no item records it."));

        foreach (var item in items)
        {
            errors.AddRange(item.Item.EnableWhen
                .Where(w => w.Question is null || !linkIds.Contains(w.Question))
                .Select(w => $"item '{item.LinkId}': enableWhen names unknown question '{w.Question}'."));
        }

        if (errors.Count > 0)
        {
            throw new PolicyArtifactException($"{source}: " + string.Join(" ", errors));
        }

        return new DocumentationQuestionnaire(questionnaire, items);

        void CheckLinkId(Questionnaire.ItemComponent item)
        {
            if (string.IsNullOrWhiteSpace(item.LinkId) || !linkIds.Add(item.LinkId))
            {
                errors.Add($"linkId '{item.LinkId}' is empty or not unique.");
            }
        }
    }

    private static HashSet<string> ConceptCodes(CoveragePolicy policy, string system) =>
        policy.CodeSystems.TryGetValue(system, out var codeSystem)
            ? Flatten(codeSystem.Concept).Select(c => c.Code).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];

    private static IEnumerable<CodeSystem.ConceptDefinitionComponent> Flatten(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts) =>
        concepts.SelectMany(c => new[] { c }.Concat(Flatten(c.Concept)));
}
