namespace VaCdsHooks.Coverage.Criteria;

/// <summary>What shows an exclusion is present, or directly shows it is absent.</summary>
public sealed record ExclusionFinding(string Sentence, IReadOnlyList<EvidenceItem> Evidence);

/// <summary>
/// The shared rule for exclusions (decision model): present when coded or measured evidence or an attestation
/// shows it; ruled out by an attestation, by direct evidence of absence, or (closed world, unless strict
/// attestation is on) by a CT/MRI of the spine after pain onset with nothing showing it; otherwise unknown.
/// Coded presence contradicted by an attestation goes to a reviewer (unknown, flagged).
/// </summary>
public abstract class ExclusionCriterion : CoverageCriterion
{
    public sealed override CriterionKind Kind => CriterionKind.Exclusion;

    /// <summary>Our finding code that attests presence (true) or absence (false).</summary>
    protected abstract string AttestationCode { get; }

    /// <summary>The exclusion in running text, e.g. "spinal cord compression".</summary>
    protected abstract string Noun { get; }

    /// <summary>Whether a CT/MRI with nothing coded rules this exclusion out (not for symptom-based exclusions).</summary>
    protected virtual bool RuledOutByCrossSectionalImaging => true;

    /// <summary>What to say when nothing decides it and imaging cannot.</summary>
    protected virtual string UnknownWithoutImaging => $"No CT or MRI of the spine after pain onset is documented, so {Noun} cannot be ruled out.";

    protected abstract ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order);

    protected virtual ExclusionFinding? FindDirectAbsence(ClinicalFacts facts, InScopeOrder order) => null;

    public sealed override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var presence = FindPresence(facts, order);
        var attestation = facts.Attested(AttestationCode);
        if (presence is not null)
        {
            if (attestation?.Answer == false)
            {
                return Unknown($"{presence.Sentence} Yet {Noun} is attested absent. A reviewer decides.", presence.Evidence.Append(attestation.Evidence())) with { Flags = ["conflict"] };
            }

            return Met(presence.Sentence, presence.Evidence);
        }

        switch (attestation?.Answer)
        {
            case true:
                return Met($"{Capitalized} is documented (attested).", [attestation.Evidence()]);
            case false:
                return NotMet($"{Capitalized} is attested absent.", [attestation.Evidence()]);
        }

        if (facts.Settings.StrictAttestation)
        {
            return Unknown($"Strict attestation is on: {Noun} must be explicitly attested absent.");
        }

        if (FindDirectAbsence(facts, order) is { } absence)
        {
            return NotMet(absence.Sentence, absence.Evidence);
        }

        if (RuledOutByCrossSectionalImaging && facts.CrossSectionalSpineImagingAfterOnset.Count > 0)
        {
            var study = facts.CrossSectionalSpineImagingAfterOnset[^1];
            return NotMet(
                $"{ImagingRuledOutCriterion.ModalityName(study)} of the spine{PainImpairmentCriterion.On(study.Started)} is documented after pain onset and nothing coded or measured shows {Noun}.",
                [study.Evidence()]);
        }

        return Unknown(UnknownWithoutImaging);
    }

    private string Capitalized => char.ToUpperInvariant(Noun[0]) + Noun[1..];
}
