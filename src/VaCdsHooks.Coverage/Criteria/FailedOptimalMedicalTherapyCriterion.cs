using System.Globalization;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Failed to respond to Optimal Medical Therapy (the ACR definition the policy quotes): pain refractory to
/// analgesics or conservative therapy, shown by a pain score at or above the threshold recorded after therapy
/// started; or a contraindication to analgesics; or a need for parenteral opioids or admission. Coded evidence
/// decides first; attestations fill what is unknown and conflicts go to a reviewer.
/// </summary>
public sealed class FailedOptimalMedicalTherapyCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.FailedOmt;
    public override string Title => "Failed optimal medical therapy";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["MedicationStatement", "MedicationRequest", "Procedure", "Observation"];

    public override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var coded = FromRecord(facts);
        var failedAnswer = facts.Attested(FindingCodes.OptimalMedicalTherapyFailed);
        var supportingAnswers = new[]
            {
                facts.Attested(FindingCodes.AnalgesicContraindication),
                facts.Attested(FindingCodes.ParenteralOpioidsOrAdmission),
                failedAnswer,
            }
            .Where(a => a?.Answer == true)
            .Select(a => a!)
            .ToList();

        switch (coded.Status)
        {
            case CriterionStatus.Met when failedAnswer?.Answer == false:
                return Unknown(coded.Explanation + " Yet it is attested that therapy did not fail. A reviewer decides.", coded.Evidence.Append(failedAnswer.Evidence())) with { Flags = ["conflict"] };
            case CriterionStatus.NotMet when supportingAnswers.Count > 0:
                return Unknown(coded.Explanation + " Yet failure of therapy is attested. A reviewer decides.", coded.Evidence.Concat(supportingAnswers.Select(a => a.Evidence()))) with { Flags = ["conflict"] };
            case CriterionStatus.Unknown when supportingAnswers.Count > 0:
                return Met(
                    "Documented: " + string.Join("; ", supportingAnswers.Select(Describe)) + ".",
                    coded.Evidence.Concat(supportingAnswers.Select(a => a.Evidence())));
            case CriterionStatus.Unknown when failedAnswer?.Answer == false:
                return NotMet("Documented that pain responded to optimal medical therapy.", coded.Evidence.Append(failedAnswer.Evidence()));
            default:
                return coded;
        }
    }

    private CriterionResult FromRecord(ClinicalFacts facts)
    {
        var therapies = facts.Therapies;
        var parenteral = therapies.Where(t => t.Parenteral).ToList();
        if (parenteral.Count > 0)
        {
            return Met("Pain needed parenteral analgesia.", parenteral.Select(t => t.Evidence()));
        }

        if (therapies.Count == 0)
        {
            return Unknown("No optimal medical therapy is documented (analgesics, physical therapy, bracing).");
        }

        var therapyEvidence = therapies.Select(t => t.Evidence()).ToList();
        var dated = therapies.Where(t => t.Started is not null).ToList();
        if (dated.Count == 0)
        {
            return Unknown("Therapy is documented without a start date, so it cannot be told whether pain persisted after it started.", therapyEvidence);
        }

        var start = dated.Min(t => t.Started!.Value.Earliest);
        var startText = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var after = facts.PainScores.LastOrDefault(p => p.Date is { } d && d.Earliest >= start);
        if (after is null)
        {
            return Unknown($"Therapy since {startText} is documented, but no pain score was recorded after it started.", therapyEvidence);
        }

        var threshold = facts.Settings.PersistentPainMinScore;
        if (after.Value >= threshold)
        {
            return Met($"Pain was still {Score(after.Value)}/10{PainImpairmentCriterion.On(after.Date)} despite therapy since {startText}.", therapyEvidence.Append(after.Evidence()));
        }

        return NotMet($"Pain fell to {Score(after.Value)}/10{PainImpairmentCriterion.On(after.Date)} on therapy since {startText}, below {Score(threshold)}/10: therapy has not failed.", therapyEvidence.Append(after.Evidence()));
    }

    private static string Describe(Attestation attestation) => attestation.Code.Code switch
    {
        FindingCodes.AnalgesicContraindication => "analgesics are contraindicated",
        FindingCodes.ParenteralOpioidsOrAdmission => "pain needed parenteral opioids or hospital admission",
        _ => "optimal medical therapy failed",
    };
}
