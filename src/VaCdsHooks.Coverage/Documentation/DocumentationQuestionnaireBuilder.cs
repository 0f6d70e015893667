using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// The questionnaire for one coverage assertion, or why there is none.
/// </summary>
/// <param name="Questionnaire">The tailored Questionnaire; null when there is nothing to ask.</param>
/// <param name="AssertionId">The coverage assertion it belongs to.</param>
/// <param name="CriteriaAsked">The criteria its items answer.</param>
/// <param name="Prefill">Values the service already holds, by linkId (also set as <c>initial</c>).</param>
/// <param name="NothingToAsk">When <see cref="Questionnaire"/> is null: why (the host answers with an OperationOutcome).</param>
public sealed record TailoredQuestionnaire(
    Questionnaire? Questionnaire,
    string AssertionId,
    IReadOnlyList<string> CriteriaAsked,
    IReadOnlyDictionary<string, DataType> Prefill,
    string? NothingToAsk)
{
    public bool HasQuestions => Questionnaire is not null;

    /// <summary>The indication the engine reads for the order's treated lesion (a code of our finding CodeSystem), when it can tell.</summary>
    public Coding? Indication { get; init; }

    /// <summary><c>url|version</c> a QuestionnaireResponse to it must name.</summary>
    public string? Canonical => Questionnaire is null ? null : Questionnaire.Url + "|" + Questionnaire.Version;
}

/// <summary>
/// Tailors the master documentation Questionnaire to one coverage assertion: only the items answering criteria
/// that documentation can still settle (unknown, or an inclusion not met for a reason the rules leave open),
/// flagged follow-ups instead of the general items where a criterion carries their flag, the questions their
/// enableWhen depends on, and <c>initial</c> values from the evidence already held. Deterministic: the same
/// assertion and record give the same Questionnaire (id and url derive from the assertion id). Pure.
/// </summary>
public sealed class DocumentationQuestionnaireBuilder
{
    private readonly CoveragePolicy _policy;
    private readonly DocumentationQuestionnaire _master;
    private readonly ValueSetExpansion _valueSets;

    public DocumentationQuestionnaireBuilder(CoveragePolicy policy, DocumentationQuestionnaire master)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(master);
        _policy = policy;
        _master = master;
        _valueSets = new ValueSetExpansion(policy);
        Master = QuestionnaireRendering.Render((Questionnaire)master.Questionnaire.DeepCopy(), _valueSets);
    }

    /// <summary>The master Questionnaire as served (rendered: answer lists inline, a narrative). Do not modify.</summary>
    public Questionnaire Master { get; }

    /// <summary>The master's canonical url (the url of every tailored Questionnaire too).</summary>
    public string Url => _master.Url;

    /// <summary>The canonical url of the adaptive form (SDC <c>$next-question</c>) of the same questionnaire.</summary>
    public string AdaptiveUrl => NextQuestionEngine.AdaptiveUrlOf(_master.Url);

    /// <summary>
    /// The adaptive form of a tailored questionnaire: its first section (<c>$next-question</c> appends the rest), the
    /// questionnaireAdaptive extension, no url of its own (SDC <c>sdc-questionnaire-adapt</c>: <c>derivedFrom</c> names
    /// the tailoring), the assertion identifier. Clients ask for it with <see cref="AdaptiveUrl"/>.
    /// </summary>
    public static Questionnaire AdaptiveFormOf(Questionnaire tailored)
    {
        ArgumentNullException.ThrowIfNull(tailored);
        var shell = NextQuestionEngine.AdaptiveShell(tailored);
        shell.Id = tailored.Id + "-adaptive";
        shell.Text = QuestionnaireRendering.Narrative(shell);
        return shell;
    }

    /// <summary>Prefix of the ids of tailored Questionnaires (<c>vad-{assertion id}</c>).</summary>
    public const string TailoredIdPrefix = "vad-";

    /// <summary>
    /// The id of the tailored Questionnaire for an assertion: <c>vad-{assertion id}</c>, so <c>GET Questionnaire/{id}</c>
    /// finds the assertion again; an assertion id that is not a FHIR id gets a hash (then only the package serves it).
    /// </summary>
    public static string QuestionnaireIdFor(string assertionId) =>
        IsTailoringKey(assertionId) ? TailoredIdPrefix + assertionId : StableIds.FhirId("vad", assertionId);

    /// <summary>The assertion a tailored Questionnaire id names, or null.</summary>
    public static string? AssertionIdFromQuestionnaireId(string id) =>
        id.StartsWith(TailoredIdPrefix, StringComparison.Ordinal) && IsTailoringKey(id[TailoredIdPrefix.Length..]) ? id[TailoredIdPrefix.Length..] : null;

    /// <summary>
    /// The version of the tailored Questionnaire: the master's version, then the assertion id
    /// (<c>2026.2-{assertion id}</c>). The url stays the master's, so the canonical CRD sent matches <c>Questionnaire.url</c>
    /// exactly (DTR clients and the DTR test kit compare <c>url</c> as is); the version tells the tailorings apart.
    /// </summary>
    public string VersionFor(string assertionId) => _master.Version + "-" + assertionId;

    /// <summary>The assertion a <c>url|version</c> canonical names (a tailored version of the master), or null.</summary>
    public string? AssertionIdFromCanonical(string? canonical)
    {
        if (canonical is null || canonical.Split('|') is not [var url, var version] || (url != _master.Url && url != AdaptiveUrl))
        {
            return null;
        }

        var prefix = _master.Version + "-";
        return version.StartsWith(prefix, StringComparison.Ordinal) && IsTailoringKey(version[prefix.Length..]) ? version[prefix.Length..] : null;
    }

    // Assertion ids are GUIDs in N format; anything that keeps "vad-" + id a FHIR id (64 characters) is reversible.
    private static bool IsTailoringKey(string value) =>
        value.Length is > 0 and <= 60 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');

    /// <summary>
    /// Builds the tailored Questionnaire for <paramref name="assertion"/>. With <paramref name="record"/> (the
    /// record the assertion was decided on), items are pre-filled with the evidence held.
    /// </summary>
    /// <param name="order">The order of the assertion, as the EHR sent it: pre-filled values are then the treated lesion's.</param>
    /// <param name="orders">Every order of the hook call (add-on lines are decided beside their primary); defaults to the order alone.</param>
    public TailoredQuestionnaire Build(CoverageAssertion assertion, PatientRecord? record = null, Resource? order = null, IReadOnlyList<Resource>? orders = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var (prefill, indication) = record is null
            ? (new Dictionary<string, DataType>(), null)
            : Prefill(record, order, orders, assertion.Date);
        return BuildWith(assertion, prefill) with { Indication = indication };
    }

    private TailoredQuestionnaire BuildWith(CoverageAssertion assertion, IReadOnlyDictionary<string, DataType> prefill)
    {

        var (asked, reason) = CriteriaToDocument(assertion.Criteria);
        if (asked.Count == 0)
        {
            return new TailoredQuestionnaire(null, assertion.AssertionId, [], prefill, reason);
        }

        var included = SelectItems(assertion.Criteria.Where(c => asked.Contains(c.CriterionId)).ToList());
        var questionnaire = Shell(assertion);
        foreach (var group in _master.Questionnaire.Item)
        {
            var children = group.Item.Where(i => included.Contains(i.LinkId ?? string.Empty)).ToList();
            if (children.Count == 0)
            {
                continue;
            }

            var section = (Questionnaire.ItemComponent)group.DeepCopy();
            section.Item = children.Select(child => WithInitial((Questionnaire.ItemComponent)child.DeepCopy(), prefill)).ToList();
            questionnaire.Item.Add(section);
        }

        QuestionnaireRendering.Render(questionnaire, _valueSets);
        var usedPrefill = prefill.Where(p => included.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new TailoredQuestionnaire(questionnaire, assertion.AssertionId, asked.ToList(), usedPrefill, null);
    }

    private (IReadOnlyDictionary<string, DataType> Prefill, Coding? Indication) Prefill(PatientRecord record, Resource? order, IReadOnlyList<Resource>? orders, DateTimeOffset decidedAt)
    {
        var facts = ClinicalFacts.From(_policy, record, DateOnly.FromDateTime(decidedAt.UtcDateTime));
        if (order is null)
        {
            return (EvidencePrefill.For(_master, facts), null);
        }

        var (scoped, mine) = Determination.OrderScope.FindAmong(_policy, order, orders, decidedAt);
        if (mine is null)
        {
            return (EvidencePrefill.For(_master, facts), null);
        }

        var indication = CriteriaEvaluator.EvaluateAll(facts, scoped)[mine.Reference].FirstOrDefault(r => r.CriterionId == CriterionCodes.Indication)?.Conclusion;
        return (EvidencePrefill.For(_master, facts, CriteriaEvaluator.EpisodeOf(facts, mine), indication), indication);
    }

    /// <summary>
    /// The criteria documentation can still settle, in policy order, or why there are none: a decided
    /// not-covered (exclusion present, onset outside the window, non-covered indication), everything met, or only
    /// conflicts left for a reviewer.
    /// </summary>
    public static (IReadOnlyList<string> Criteria, string? NothingToAsk) CriteriaToDocument(IReadOnlyList<StoredCriterionResult> criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);

        // The determination rules decide what is open; documentation answers only that.
        var determination = Determination.DeterminationRules.Decide(criteria.Select(c => c.ToResult()).ToList());
        switch (determination.Outcome)
        {
            case Determination.CoverageOutcome.NotCovered:
                return ([], "The assertion is not covered (" + string.Join(", ", determination.Deciding.Select(d => d.CriterionId)) + "); documentation cannot change that.");
            case Determination.CoverageOutcome.Covered:
                return ([], "Every criterion is met and every exclusion ruled out; no documentation is needed.");
        }

        var open = determination.Deciding;
        // Conflicts go to a reviewer; what differs only between candidate levels is settled by naming the level.
        var askable = open.Where(c => !c.Flags.Contains(CriterionFlags.Conflict) && !c.Flags.Contains(CriterionFlags.DependsOnTreatedLevel))
            .Select(c => c.CriterionId).ToList();
        return askable.Count > 0
            ? (askable, null)
            : ([], "Only conflicts between coded evidence and answers remain (" + string.Join(", ", open.Select(o => o.CriterionId)) + "); a reviewer decides.");
    }

    private HashSet<string> SelectItems(IReadOnlyList<StoredCriterionResult> asked)
    {
        var included = new HashSet<string>(StringComparer.Ordinal);
        foreach (var criterion in asked)
        {
            var items = _master.Items.Where(i => i.Criteria.Contains(criterion.CriterionId)).ToList();

            // A flag such as competing-pain-generator means the general questions are settled; ask its follow-up only.
            var followUps = items.Where(i => i.AskedWhenFlag is { } flag && criterion.Flags.Contains(flag)).ToList();
            included.UnionWith((followUps.Count > 0 ? followUps : items.Where(i => i.AskedWhenFlag is null)).Select(i => i.LinkId));
        }

        // A follow-up needs the question its enableWhen reads, or it could never be enabled.
        var added = true;
        while (added)
        {
            added = false;
            foreach (var item in _master.Items.Where(i => included.Contains(i.LinkId)).ToList())
            {
                foreach (var condition in item.Item.EnableWhen)
                {
                    added |= condition.Question is { } question && included.Add(question);
                }
            }
        }

        return included;
    }

    private Questionnaire Shell(CoverageAssertion assertion)
    {
        var master = _master.Questionnaire;
        var id = QuestionnaireIdFor(assertion.AssertionId);
        return new Questionnaire
        {
            Id = id,
            // Tailored when the assertion was made: what changedsince is compared with.
            Meta = new Meta { Profile = [DtrCodes.SdcPopulateExpressionProfile], LastUpdated = assertion.Date },
            Extension = master.Extension.Select(e => (Extension)e.DeepCopy()).ToList(),
            Url = master.Url,
            Identifier = [new Identifier(DtrCodes.AssertionIdentifierSystem, assertion.AssertionId)],
            Version = VersionFor(assertion.AssertionId),
            Name = master.Name,
            Title = master.Title,
            DerivedFrom = [_master.VersionedCanonical],
            Status = PublicationStatus.Active,
            Experimental = master.Experimental,
            SubjectType = [ResourceType.Patient],
            Date = assertion.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Publisher = master.Publisher,
            Description = master.Description,
            Purpose = master.Purpose,
        };
    }

    private static Questionnaire.ItemComponent WithInitial(Questionnaire.ItemComponent item, IReadOnlyDictionary<string, DataType> prefill)
    {
        if (item.LinkId is { } linkId && prefill.TryGetValue(linkId, out var value))
        {
            item.Initial = [new Questionnaire.InitialComponent { Value = (DataType)value.DeepCopy() }];
        }

        return item;
    }
}
