using System.Collections.Frozen;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Determination;

/// <summary>The outcome the decision model's rules give (the CRD <c>covered</c> code).</summary>
public enum CoverageOutcome
{
    Covered,
    NotCovered,
    Conditional,
}

/// <summary>The determination for one order: outcome, the reason in our code system and words, and every criterion.</summary>
/// <param name="Outcome">Rule 1 (not covered), 2 (covered) or 3 (conditional).</param>
/// <param name="ReasonCode">A code of our criterion CodeSystem (e.g. <c>exclusion-present</c>).</param>
/// <param name="Reason">The reason in a sentence.</param>
/// <param name="ShortReason">The reason in a few words for the card summary.</param>
/// <param name="Deciding">The criteria that decided it (the excluding ones, or the open ones).</param>
/// <param name="Criteria">Every criterion result.</param>
public sealed record CoverageDetermination(
    CoverageOutcome Outcome,
    string ReasonCode,
    string Reason,
    string ShortReason,
    IReadOnlyList<CriterionResult> Deciding,
    IReadOnlyList<CriterionResult> Criteria)
{
    public string CoveredCode => Outcome switch
    {
        CoverageOutcome.Covered => "covered",
        CoverageOutcome.NotCovered => "not-covered",
        _ => "conditional",
    };
}

/// <summary>The decision model's determination rules 1-3, over criterion results.</summary>
public static class DeterminationRules
{
    /// <summary>
    /// Rules 1-3, and no real-time approval where the record itself forbids one (a deceased patient): that goes to
    /// payer staff instead.
    /// </summary>
    public static CoverageDetermination Decide(IReadOnlyList<CriterionResult> criteria, ClinicalFacts facts)
    {
        var determination = Decide(criteria);
        if (determination.Outcome == CoverageOutcome.Covered && facts.Deceased)
        {
            return new CoverageDetermination(
                CoverageOutcome.Conditional,
                CriterionCodes.ReviewRequired,
                "Every coverage criterion is met, but the patient is recorded as deceased; no real-time approval is given. Payer staff review the request.",
                "patient recorded as deceased: payer review",
                [],
                criteria);
        }

        return determination;
    }

    public static CoverageDetermination Decide(IReadOnlyList<CriterionResult> criteria)
    {
        // One pass gathers what the rules read, each list in the criteria's order: this runs for every order of every call.
        List<CriterionResult>? present = null, lateOnset = null, wrongIndication = null;
        var allMetAndRuledOut = true;
        foreach (var criterion in criteria)
        {
            if (criterion.Kind == CriterionKind.Exclusion)
            {
                if (criterion.Status == CriterionStatus.Met)
                {
                    (present ??= []).Add(criterion);
                }

                allMetAndRuledOut &= criterion.Status == CriterionStatus.NotMet;
                continue;
            }

            if (criterion.Status == CriterionStatus.NotMet && criterion.CriterionId == CriterionCodes.OnsetWindow)
            {
                (lateOnset ??= []).Add(criterion);
            }

            if (criterion.Status == CriterionStatus.NotMet && criterion.CriterionId == CriterionCodes.Indication)
            {
                (wrongIndication ??= []).Add(criterion);
            }

            allMetAndRuledOut &= criterion.Status == CriterionStatus.Met;
        }

        // Rule 1: an exclusion present, onset outside the window, or only a non-covered indication.
        if (present is not null)
        {
            var names = string.Join(", ", present.Select(p => Phrase(p.Title)));
            return new CoverageDetermination(
                CoverageOutcome.NotCovered,
                CriterionCodes.ExclusionPresent,
                $"The policy excludes {names}. " + string.Join(" ", present.Select(p => p.Explanation)),
                names + " documented",
                [.. present, .. lateOnset ?? [], .. wrongIndication ?? []],
                criteria);
        }

        if (lateOnset is not null)
        {
            return new CoverageDetermination(
                CoverageOutcome.NotCovered,
                CriterionCodes.OnsetOutsideWindow,
                "The procedure must be within the policy window from pain onset. " + lateOnset[0].Explanation,
                "pain onset outside the policy window",
                [.. lateOnset, .. wrongIndication ?? []],
                criteria);
        }

        if (wrongIndication is not null)
        {
            return new CoverageDetermination(
                CoverageOutcome.NotCovered,
                CriterionCodes.NonCoveredIndication,
                wrongIndication[0].Explanation,
                "indication not covered by the policy",
                wrongIndication,
                criteria);
        }

        // Rule 2: every inclusion met and every exclusion ruled out.
        if (allMetAndRuledOut)
        {
            return new CoverageDetermination(
                CoverageOutcome.Covered,
                CriterionCodes.AllCriteriaMet,
                "Every coverage criterion is met and no exclusion applies.",
                "all criteria met",
                [],
                criteria);
        }

        // Rule 3: something unknown, or an inclusion not met for a reason rule 1 does not name.
        var open = new List<CriterionResult>();
        var phrases = new List<string>();
        foreach (var criterion in criteria)
        {
            if (criterion.Status == CriterionStatus.Unknown || (criterion.Kind == CriterionKind.Inclusion && criterion.Status == CriterionStatus.NotMet))
            {
                open.Add(criterion);
                phrases.Add(Phrase(criterion.Title));
            }
        }

        return new CoverageDetermination(
            CoverageOutcome.Conditional,
            CriterionCodes.DocumentationNeeded,
            "Documentation needed for: " + string.Join("; ", phrases) + ".",
            open.Count == 1 ? "1 item to document" : $"{open.Count} items to document",
            open,
            criteria);
    }

    // The criteria's own titles, phrased once.
    private static readonly FrozenDictionary<string, string> PhrasedTitles = CriteriaEvaluator.All
        .Select(c => c.Title)
        .Distinct(StringComparer.Ordinal)
        .ToFrozenDictionary(title => title, PhraseOf, StringComparer.Ordinal);

    private static string Phrase(string title) => PhrasedTitles.TryGetValue(title, out var phrased) ? phrased : PhraseOf(title);

    /// <summary>A title inside a sentence: "Spinal cord compression" -> "spinal cord compression", "CT or MRI ..." unchanged.</summary>
    private static string PhraseOf(string title) =>
        title.Length > 1 && char.IsUpper(title[1]) ? title : char.ToLowerInvariant(title[0]) + title[1..];
}
