namespace VaCdsHooks.Coverage.Criteria;

/// <summary>What shows an exclusion is present, or directly shows it is absent.</summary>
public sealed record ExclusionFinding(string Sentence, IReadOnlyList<EvidenceItem> Evidence);

/// <summary>
/// The shared rule for exclusions (decision model): present when confirmed coded or measured evidence or an
/// attestation shows it; unknown when only a suspected diagnosis does (not present, not ruled out); ruled out by
/// an attestation, by direct evidence of absence, or (closed world, unless strict attestation is on) by a CT/MRI
/// that meets the imaging rule for the treated region, whose findings the engine can read, with nothing showing
/// it; otherwise unknown. Coded presence contradicted by an attestation goes to a reviewer (unknown, flagged).
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

    public override IReadOnlyList<string> FindingsRead => [AttestationCode];

    protected abstract ExclusionFinding? FindPresence(CriterionContext context);

    /// <summary>What suggests it without confirming it (a provisional diagnosis): neither present nor ruled out.</summary>
    protected virtual ExclusionFinding? FindSuspicion(CriterionContext context) => null;

    protected virtual ExclusionFinding? FindDirectAbsence(CriterionContext context) => null;

    public sealed override CriterionResult Evaluate(CriterionContext context)
    {
        var facts = context.Facts;
        var prefix = context.Episode.LevelPrefix;
        var presence = FindPresence(context);
        var attestation = facts.Attested(AttestationCode);
        if (presence is not null)
        {
            if (attestation?.Answer == false)
            {
                return Unknown($"{prefix}{presence.Sentence} Yet {Noun} is attested absent. A reviewer decides.", presence.Evidence.Append(attestation.Evidence())) with { Flags = ["conflict"] };
            }

            return Met(prefix + presence.Sentence, presence.Evidence);
        }

        switch (attestation?.Answer)
        {
            case true:
                return Met($"{Capitalized} is documented (attested).", [attestation.Evidence()]);
            case false:
                return NotMet($"{Capitalized} is attested absent.", [attestation.Evidence()]);
        }

        if (FindSuspicion(context) is { } suspicion)
        {
            return Unknown(prefix + suspicion.Sentence + $" A suspected finding neither shows nor rules out {Noun}: it must be confirmed or excluded.", suspicion.Evidence);
        }

        if (facts.Settings.StrictAttestation)
        {
            return Unknown($"{prefix}strict attestation is on: {Noun} must be explicitly attested absent.");
        }

        if (FindDirectAbsence(context) is { } absence)
        {
            return NotMet(prefix + absence.Sentence, absence.Evidence);
        }

        if (RuledOutByCrossSectionalImaging)
        {
            var (study, whyNot) = context.Episode.ClosedWorld();
            if (study is not null)
            {
                return NotMet(
                    $"{prefix}{study.ModalityName} of the {study.RegionText}{On(study.Date)} is documented after pain onset and nothing coded or measured shows {Noun}.",
                    [study.Evidence()]);
            }

            return Unknown($"{prefix}{Capitalized} cannot be ruled out: {whyNot}.");
        }

        return Unknown(prefix + UnknownWithoutImaging);
    }

    // One string rather than a substring and a concatenation: every attested or not-ruled-out result says it.
    private string Capitalized => string.Create(Noun.Length, Noun, static (text, noun) =>
    {
        noun.CopyTo(text);
        text[0] = char.ToUpperInvariant(noun[0]);
    });
}
