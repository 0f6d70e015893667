using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// CT or MRI of the spine after pain onset has ruled out other causes of pain. X-ray or bone scan alone leaves
/// it unknown; a coded competing pain generator (stenosis, facet arthropathy, disc herniation, ...) leaves it
/// unknown with a flag until documentation says CT/MRI excluded it.
/// </summary>
public sealed class ImagingRuledOutCriterion : CoverageCriterion
{
    public const string CompetingPainGeneratorFlag = "competing-pain-generator";

    public override string Id => CriterionCodes.ImagingRuledOut;
    public override string Title => "CT or MRI ruled out other causes";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["ImagingStudy", "Condition", "Observation"];

    public override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var crossSectional = facts.CrossSectionalSpineImagingAfterOnset;
        if (crossSectional.Count == 0)
        {
            var beforeOnset = facts.SpineImaging.Where(i => i.CrossSectional).ToList();
            if (beforeOnset.Count > 0)
            {
                return Unknown("CT or MRI of the spine is documented only before pain onset; a study after onset is needed.", beforeOnset.Select(i => i.Evidence()));
            }

            var plain = facts.SpineImaging.Where(i => !i.CrossSectional).ToList();
            if (plain.Count > 0)
            {
                return Unknown("Only X-ray or bone scan of the spine is documented; CT or MRI is needed to rule out other causes of pain.", plain.Select(i => i.Evidence()));
            }

            return Unknown("No CT or MRI of the spine after pain onset is documented.");
        }

        var latest = crossSectional[^1];
        var study = $"{ModalityName(latest)} of the spine{PainImpairmentCriterion.On(latest.Started)}";
        var competing = facts.ConditionsIn(facts.ValueSets.CompetingPainGenerators);
        if (competing.Count == 0)
        {
            return Met($"{study} after pain onset; no competing spinal pain generator is coded.", [latest.Evidence()]);
        }

        var competingEvidence = competing.Select(c => ClinicalFacts.ConditionEvidence(c.Condition, c.Code)).ToList();
        var codes = string.Join(", ", competing.Select(c => c.Code.Code).Distinct());
        var excluded = facts.Attested(FindingCodes.CompetingPainGeneratorExcluded);
        return excluded?.Answer switch
        {
            true => Met($"{study}; the coded competing conditions ({codes}) were excluded as the pain generator.", competingEvidence.Prepend(latest.Evidence()).Append(excluded.Evidence())),
            false => NotMet($"{study}, but the coded competing conditions ({codes}) were not excluded as the pain generator.", competingEvidence.Prepend(latest.Evidence()).Append(excluded.Evidence())),
            _ => Unknown($"{study} is documented, but {codes} could also cause the pain: documentation must say whether CT/MRI excluded it as the pain generator.", competingEvidence.Prepend(latest.Evidence())) with { Flags = [CompetingPainGeneratorFlag] },
        };
    }

    internal static string ModalityName(SpineImaging imaging) => imaging.Modality.Code switch
    {
        "CT" => "CT",
        "MR" => "MRI",
        "NM" => "Bone scan",
        _ => "X-ray",
    };
}
