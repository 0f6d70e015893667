using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// CT or MRI has ruled out other causes of spinal pain: a CT or MRI that was performed, dated between pain onset
/// and the planned date, covering the treated region, whose findings the engine can read. X-ray or bone scan,
/// a scheduled or cancelled study, a study of another region, or a narrative-only report leave it unknown; a
/// competing pain generator (coded in ICD-10-CM or SNOMED CT, on the problem list or in a report's conclusion,
/// confirmed or suspected) leaves it unknown with a flag until documentation says CT/MRI excluded it.
/// </summary>
public sealed class ImagingRuledOutCriterion : CoverageCriterion
{
    public const string CompetingPainGeneratorFlag = "competing-pain-generator";

    public override string Id => CriterionCodes.ImagingRuledOut;
    public override string Title => "CT or MRI ruled out other causes";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["ImagingStudy", "DiagnosticReport", "Condition", "Observation"];
    public override IReadOnlyList<string> ValueSetsRead { get; } = ["competing-pain-generators"];
    public override IReadOnlyList<string> FindingsRead { get; } = [FindingCodes.CompetingPainGeneratorExcluded];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var episode = context.Episode;
        var facts = context.Facts;
        var prefix = episode.LevelPrefix;
        var qualifying = episode.QualifyingImaging;
        if (qualifying.Count == 0)
        {
            return Unknown(prefix + WhyNoStudy(context), facts.SpineImaging.Select(i => i.Evidence()));
        }

        var latest = episode.ReadableImaging;
        if (latest is null)
        {
            var narrative = qualifying[^1];
            return Unknown($"{prefix}{narrative.ModalityName} of the {narrative.RegionText}{On(narrative.Date)} is reported in narrative only; what it ruled out cannot be read. Attach the report's findings.", [narrative.Evidence()]);
        }

        var study = $"{prefix}{latest.ModalityName} of the {latest.RegionText}{On(latest.Date)}";
        var set = context.ValueSets["competing-pain-generators"];
        var competing = facts.ConditionsIn(set).Concat(facts.SuspectedIn(set)).Select(c => ClinicalFacts.ConditionEvidence(c.Condition, c.Code))
            .Concat(facts.ReportFindingsIn(set).Select(r => EvidenceItem.Of(r.Report, r.Code)))
            .ToList();
        if (competing.Count == 0)
        {
            return Met($"{study} after pain onset; no competing spinal pain generator is coded.", [latest.Evidence()]);
        }

        var codes = string.Join(", ", competing.Select(c => c.Code).Distinct());
        var excluded = facts.Attested(FindingCodes.CompetingPainGeneratorExcluded);
        return excluded?.Answer switch
        {
            true => Met($"{study}; the competing conditions ({codes}) were excluded as the pain generator.", competing.Prepend(latest.Evidence()).Append(excluded.Evidence())),
            false => NotMet($"{study}, but the competing conditions ({codes}) were not excluded as the pain generator.", competing.Prepend(latest.Evidence()).Append(excluded.Evidence())),
            _ => Unknown($"{study} is documented, but {codes} could also cause the pain: documentation must say whether CT/MRI excluded it as the pain generator.", competing.Prepend(latest.Evidence())) with { Flags = [CompetingPainGeneratorFlag] },
        };
    }

    private static string WhyNoStudy(CriterionContext context)
    {
        var episode = context.Episode;
        var all = context.Facts.SpineImaging;
        bool anyCrossSectional = false, anyNotPerformed = false, anyOtherRegion = false, anyBeforeOnset = false;
        foreach (var imaging in all)
        {
            if (!imaging.CrossSectional)
            {
                continue;
            }

            anyCrossSectional = true;
            anyNotPerformed |= !imaging.Performed;
            anyOtherRegion |= !episode.CoversTreatedRegion(imaging);
            anyBeforeOnset |= episode.Start is { } start && imaging.Date is { } d && d.Latest < start;
        }

        // The first reason that applies to any CT/MRI on file, in this order.
        if (anyNotPerformed)
        {
            return "the CT/MRI on file was not performed (scheduled, cancelled or without a final report); a performed study is needed.";
        }

        if (anyOtherRegion)
        {
            return $"the CT/MRI on file covers another part of the spine, not the {episode.RegionText}.";
        }

        if (anyBeforeOnset)
        {
            return "CT or MRI of the spine is documented only before pain onset; a study after onset is needed.";
        }

        if (anyCrossSectional)
        {
            return "the CT/MRI on file is dated after the planned date or in the future, or carries no date.";
        }

        return all.Count > 0
            ? "only X-ray or bone scan of the spine is documented; CT or MRI is needed to rule out other causes of pain."
            : "no CT or MRI of the spine after pain onset is documented.";
    }
}
