using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>How the treated vertebral body of one order unit was found, or why it was not.</summary>
public enum TreatedLevelBasis
{
    /// <summary>ServiceRequest.bodySite names it.</summary>
    NamedOnOrder,

    /// <summary>ServiceRequest.reasonReference/reasonCode names the lesion.</summary>
    OrderReason,

    /// <summary>The surgeon answered which level is treated.</summary>
    Answered,

    /// <summary>The only documented lesion in the CPT code's region.</summary>
    OnlyLesionInRegion,

    /// <summary>No documented lesion in the CPT region (or at the named level).</summary>
    NoLesion,

    /// <summary>Every documented lesion in the region is already claimed by another unit of the order.</summary>
    NoDistinctLevel,

    /// <summary>22512/22515 without a primary code of its own family.</summary>
    AddOnWithoutPrimary,
}

/// <summary>The treated vertebral body of one unit of an order, and how it was found.</summary>
/// <param name="Basis">How it was found.</param>
/// <param name="Level">The level treated, as precisely as known (a region when only the CPT code says).</param>
/// <param name="Candidates">Lesions that may be the treated one (one when determined).</param>
/// <param name="Note">A sentence for the card.</param>
public sealed record TreatedUnit(TreatedLevelBasis Basis, VertebralLevel? Level, IReadOnlyList<Lesion> Candidates, string Note);

/// <summary>
/// The pain this procedure treats: one lesion (or none documented), its onset, and the planned procedure date.
/// Only evidence dated inside it counts: on or after onset (therapy up to a few days before), on or before the
/// planned date, never in the future. Every per-episode criterion reads its evidence from here.
/// </summary>
public sealed class Episode
{
    public Episode(ClinicalFacts facts, InScopeOrder order, Lesion? lesion, TreatedUnit unit)
    {
        Facts = facts;
        Order = order;
        Lesion = lesion;
        Unit = unit;
        TreatedLevel = lesion?.Level is { IsExact: true } exact ? exact : unit.Level ?? lesion?.Level;
        (Onset, OnsetConflict) = FindOnset();
        OnsetAfterPlannedDate = Onset?.Date is { } d && d.Earliest > order.PlannedDate;
    }

    public ClinicalFacts Facts { get; }
    public InScopeOrder Order { get; }

    /// <summary>The lesion at the treated level; null when none is documented there.</summary>
    public Lesion? Lesion { get; }

    public TreatedUnit Unit { get; }

    /// <summary>The treated level as precisely as known.</summary>
    public VertebralLevel? TreatedLevel { get; }

    public DateOnly PlannedDate => Order.PlannedDate;

    /// <summary>
    /// The last day evidence may carry: the scheduled procedure date; for an order without one, the procedure is
    /// still ahead, so anything up to today counts.
    /// </summary>
    public DateOnly EvidenceEnd => Order.IsScheduled || Facts.Today is not { } today || today < PlannedDate ? PlannedDate : today;

    /// <summary>The pain onset used for this lesion (its own onset, a linked onset observation, or a recorded one).</summary>
    public OnsetReading? Onset { get; }

    /// <summary>A recorded pain onset that disagrees with the lesion's own coded onset: a reviewer decides.</summary>
    public OnsetReading? OnsetConflict { get; }

    /// <summary>An onset after the planned date is a data error: nothing is measured from it.</summary>
    public bool OnsetAfterPlannedDate { get; }

    /// <summary>The first day of the episode, when the onset is usable.</summary>
    public DateOnly? Start => Onset?.Date is { } d && !OnsetAfterPlannedDate && OnsetConflict is null ? d.Earliest : null;

    /// <summary>
    /// Whether something dated <paramref name="date"/> belongs to this episode: dated, not in the future, on or
    /// before the planned date, and on or after onset less <paramref name="daysBeforeOnset"/>.
    /// </summary>
    public bool Counts(ClinicalDate? date, int daysBeforeOnset = 0)
    {
        if (date is not { } d || Facts.IsFuture(d) || d.Earliest > EvidenceEnd)
        {
            return false;
        }

        return Start is not { } start || d.Latest >= start.AddDays(-daysBeforeOnset);
    }

    /// <summary>Pain scores (0-10) inside the episode, oldest first.</summary>
    public IReadOnlyList<Measurement> PainScores => field ??= Facts.PainScores.Where(p => Counts(p.Date)).ToList();

    public Measurement? LatestPain => PainScores.Count > 0 ? PainScores[^1] : null;

    /// <summary>Coded pain severities (no number) inside the episode.</summary>
    public IReadOnlyList<Observation> PainFindings => field ??= Facts.PainFindings.Where(o => Counts(ClinicalDate.From(o.Effective))).ToList();

    /// <summary>Disability scores inside the episode (a score from before the fracture says nothing about it).</summary>
    public IReadOnlyList<Measurement> OswestryScores => field ??= Facts.OswestryScores.Where(p => Counts(p.Date)).ToList();

    /// <summary>Therapies that ran inside the episode (starting at most the configured days before onset, not stopped before it).</summary>
    public IReadOnlyList<Therapy> Therapies => field ??= Facts.Therapies
        .Where(t => Counts(t.Started, Facts.Settings.TherapyMayStartDaysBeforeOnset))
        .Where(t => Start is not { } start || t.Ended is not { } end || end.Latest >= start.AddDays(-Facts.Settings.TherapyMayStartDaysBeforeOnset))
        .ToList();

    /// <summary>CT or MRI performed inside the episode that covers the treated region, oldest first.</summary>
    public IReadOnlyList<SpineImaging> QualifyingImaging => field ??= Facts.SpineImaging
        .Where(i => i.CrossSectional && i.Performed && Counts(i.Date) && CoversTreatedRegion(i))
        .ToList();

    /// <summary>The latest qualifying CT/MRI whose findings the engine can read (coded), if any.</summary>
    public SpineImaging? ReadableImaging => QualifyingImaging.LastOrDefault(i => i.Readable);

    /// <summary>
    /// The CT/MRI under which an exclusion that nothing shows is ruled out (closed world), or null with the reason
    /// it does not hold.
    /// </summary>
    public (SpineImaging? Study, string? WhyNot) ClosedWorld()
    {
        if (QualifyingImaging.Count == 0)
        {
            return (null, "no CT or MRI of the " + RegionText + " performed between pain onset and the planned date is documented");
        }

        if (ReadableImaging is not { } study)
        {
            return (null, "the CT/MRI report is narrative only, so what it shows cannot be read");
        }

        if (Facts.UncodedConditions.Count > 0)
        {
            return (null, "the record holds problems written only as narrative (" + string.Join(", ", Facts.UncodedConditions.Select(EvidenceItem.ReferenceOf)) + "), which cannot be read");
        }

        return (study, null);
    }

    public bool CoversTreatedRegion(SpineImaging imaging) =>
        TreatedLevel is not { } level ? imaging.Regions.Count > 0 : imaging.Regions.Contains(level.Region);

    /// <summary>"thoracic spine", or "spine" when the treated region is unknown.</summary>
    public string RegionText => TreatedLevel is { } level ? level.Region.Describe() + " spine" : "spine";

    /// <summary>"T12: " (or "Thoracic spine: ") when the treated level is known, for per-level sentences.</summary>
    public string LevelPrefix => field ??= TreatedLevel is { } level ? char.ToUpperInvariant(level.Label[0]) + level.Label[1..] + ": " : string.Empty;

    /// <summary>Height-loss measurements at the treated level (at the level, about the lesion, or unplaced when the chart has one lesion).</summary>
    public IReadOnlyList<Measurement> HeightLoss => field ??= Facts.HeightLossMeasurements
        .Where(m => !Facts.IsFuture(m.Date) && (m.Date is null || m.Date.Value.Earliest <= EvidenceEnd))
        .Where(IsAtTreatedLevel)
        .ToList();

    /// <summary>
    /// Whether a measurement is about the treated lesion: it names the lesion (<c>focus</c>/<c>derivedFrom</c>), or
    /// its body site is the treated vertebra, or it is placed nowhere and the chart has one lesion.
    /// </summary>
    public bool IsAtTreatedLevel(Measurement measurement)
    {
        if (Lesion is not null && measurement.About.Any(a => Lesion.References.Contains(a)))
        {
            return true;
        }

        if (measurement.About.Count > 0)
        {
            return false;
        }

        if (measurement.Level is { } level)
        {
            return TreatedLevel is { } treated && (treated.IsExact && level.IsExact ? treated == level : treated.MayBe(level) && Facts.Lesions.Count(l => l.Level is { } ll && ll.MayBe(level)) <= 1);
        }

        return Facts.Lesions.Count <= 1;
    }

    public string PlannedText => PlannedDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private (OnsetReading? Onset, OnsetReading? Conflict) FindOnset()
    {
        var own = Lesion?.Onset;
        var linked = Lesion is null ? null : LinkedOnset(Lesion);
        var recorded = RecordedOnset();
        var usable = own?.Date is not null ? own : linked ?? recorded ?? own;
        if (own?.Date is { } ownDate && recorded?.Date is { } recordedDate && recorded != usable && (ownDate.Earliest != recordedDate.Earliest || ownDate.Latest != recordedDate.Latest))
        {
            return (usable, recorded);
        }

        return (usable, null);
    }

    private OnsetReading? LinkedOnset(Lesion lesion)
    {
        var references = lesion.References.ToHashSet(StringComparer.Ordinal);
        var linked = Facts.OnsetObservations
            .Where(o => o.Focus.Concat(o.DerivedFrom).Any(r => r.Reference is { } value && references.Contains(PatientRecord.Relative(value))))
            .OrderBy(ClinicalFacts.SortKey)
            .LastOrDefault();
        return linked is null ? null : OnsetOf(linked, "onset recorded for the lesion");
    }

    /// <summary>
    /// A pain onset recorded without naming a lesion (our finding, or an onset observation): it dates this
    /// episode only when the chart has one lesion, or when it is about this lesion.
    /// </summary>
    private OnsetReading? RecordedOnset()
    {
        if (Facts.Attested(FindingCodes.PainOnset) is { } attestation)
        {
            var about = attestation.Observation.Focus.Select(f => f.Reference).OfType<string>().Select(PatientRecord.Relative).ToList();
            var applies = about.Count == 0 ? Facts.Lesions.Count <= 1 || Unit.Basis == TreatedLevelBasis.Answered : Lesion is not null && about.Any(Lesion.References.Contains);
            if (applies && attestation.DateAnswer is { } date)
            {
                return new OnsetReading(date, null, attestation.Evidence(), "recorded pain onset");
            }
        }

        if (Facts.Lesions.Count > 1)
        {
            return null;
        }

        var unlinked = Facts.OnsetObservations.Where(o => o.Focus.Count == 0 && o.DerivedFrom.Count == 0).OrderBy(ClinicalFacts.SortKey).LastOrDefault();
        return unlinked is null ? null : OnsetOf(unlinked, "recorded pain onset");
    }

    private OnsetReading? OnsetOf(Observation observation, string source)
    {
        var reading = observation.Value is { } value and (FhirDateTime or Date or Period or FhirString)
            ? Facts.ReadOnset(observation, value, observation.Code?.Coding.FirstOrDefault(), source)
            : Facts.ReadOnset(observation, observation.Effective, observation.Code?.Coding.FirstOrDefault(), source);
        return reading;
    }
}
