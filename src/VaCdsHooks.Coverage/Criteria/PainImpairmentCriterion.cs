using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Pain causing Functional or Physical Impairment: a pain score above 0 plus impairment, shown by an Oswestry
/// Disability Index above the minimal-disability band or a documented impairment. An ODI in the minimal band
/// makes it not met; an attestation fills a gap but never silently overrides a contrary score.
/// </summary>
public sealed class PainImpairmentCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.PainImpairment;
    public override string Title => "Pain causing functional impairment";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation"];

    public override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var pain = facts.LatestPainScore;
        if (pain is null)
        {
            return Unknown("No pain severity score (0-10) is recorded.");
        }

        var painText = $"Pain {Score(pain.Value)}/10{On(pain.Date)}";
        if (pain.Value <= 0)
        {
            return NotMet(painText + ": there is no pain to treat.", [pain.Evidence()]);
        }

        var threshold = facts.Settings.OdiMinimalDisabilityMaxPercent;
        var odi = facts.OswestryScores.Count > 0 ? facts.OswestryScores[^1] : null;
        var impairment = LatestAnswer(facts);

        if (odi is not null && odi.Value <= threshold)
        {
            if (impairment?.Answer == true)
            {
                return Unknown(
                    $"{painText}; the Oswestry Disability Index of {Score(odi.Value)} %{On(odi.Date)} shows minimal disability, but functional impairment is attested. A reviewer decides.",
                    [pain.Evidence(), odi.Evidence(), impairment.Evidence()]) with { Flags = ["conflict"] };
            }

            return NotMet($"{painText}, but the Oswestry Disability Index of {Score(odi.Value)} %{On(odi.Date)} shows minimal disability (0-{Score(threshold)} %).", [pain.Evidence(), odi.Evidence()]);
        }

        if (odi is not null)
        {
            return Met($"{painText} with an Oswestry Disability Index of {Score(odi.Value)} %{On(odi.Date)}: at least moderate disability.", [pain.Evidence(), odi.Evidence()]);
        }

        return impairment?.Answer switch
        {
            true => Met($"{painText} with functional impairment documented.", [pain.Evidence(), impairment.Evidence()]),
            false => NotMet($"{painText}, but no functional impairment (documented answer).", [pain.Evidence(), impairment.Evidence()]),
            _ => Unknown($"{painText} is recorded, but no functional impairment (disability score, or limits on walking, dressing, meals, driving) is documented.", [pain.Evidence()]),
        };
    }

    private static Attestation? LatestAnswer(ClinicalFacts facts) =>
        facts.LatestAnswerIn(facts.ValueSets.FunctionalImpairment);

    internal static string On(ClinicalDate? date) => date is { } d ? " on " + d.Text : string.Empty;
}
