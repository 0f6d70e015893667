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

    /// <summary>Evidence of every finding of the lesion (suspected ones too); empty when none is documented.</summary>
    public IReadOnlyList<EvidenceItem> LesionEvidence => field ??= EvidenceOf(Lesion);

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
    public IReadOnlyList<Measurement> PainScores => field ??= Inside(Facts.PainScores, static p => p.Date);

    public Measurement? LatestPain => PainScores.Count > 0 ? PainScores[^1] : null;

    /// <summary>Coded pain severities (no number) inside the episode.</summary>
    public IReadOnlyList<Observation> PainFindings => field ??= Inside(Facts.PainFindings, static o => ClinicalDate.From(o.Effective));

    /// <summary>Disability scores inside the episode (a score from before the fracture says nothing about it).</summary>
    public IReadOnlyList<Measurement> OswestryScores => field ??= Inside(Facts.OswestryScores, static p => p.Date);

    /// <summary>Therapies that ran inside the episode (starting at most the configured days before onset, not stopped before it).</summary>
    public IReadOnlyList<Therapy> Therapies => field ??= FindTherapies();

    /// <summary>CT or MRI performed inside the episode that covers the treated region, oldest first.</summary>
    public IReadOnlyList<SpineImaging> QualifyingImaging => field ??= FindQualifyingImaging();

    /// <summary>The latest qualifying CT/MRI whose findings the engine can read (coded), if any.</summary>
    public SpineImaging? ReadableImaging => QualifyingImaging.LastOrDefault(i => i.Readable);

    /// <summary>
    /// The CT/MRI under which an exclusion that nothing shows is ruled out (closed world), or null with the reason
    /// it does not hold.
    /// </summary>
    public (SpineImaging? Study, string? WhyNot) ClosedWorld() => _closedWorld ??= FindClosedWorld();

    // Every imaging-based exclusion asks it of the same episode: decided once.
    private (SpineImaging? Study, string? WhyNot)? _closedWorld;

    private (SpineImaging? Study, string? WhyNot) FindClosedWorld()
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
    public string RegionText => field ??= TreatedLevel is { } level ? level.Region.Describe() + " spine" : "spine";

    /// <summary>"T12: " (or "Thoracic spine: ") when the treated level is known, for per-level sentences.</summary>
    public string LevelPrefix => field ??= TreatedLevel is { } level ? char.ToUpperInvariant(level.Label[0]) + level.Label[1..] + ": " : string.Empty;

    /// <summary>Height-loss measurements at the treated level (at the level, about the lesion, or unplaced when the chart has one lesion).</summary>
    public IReadOnlyList<Measurement> HeightLoss => field ??= FindHeightLoss();

    /// <summary>
    /// Whether a measurement is about the treated lesion: it names the lesion (<c>focus</c>/<c>derivedFrom</c>), or
    /// its body site is the treated vertebra, or it is placed nowhere and the chart has one lesion.
    /// </summary>
    public bool IsAtTreatedLevel(Measurement measurement)
    {
        if (measurement.About.Count > 0)
        {
            return Lesion is not null && IsAboutLesion(measurement.About, Lesion);
        }

        if (measurement.Level is { } level)
        {
            return TreatedLevel is { } treated && (treated.IsExact && level.IsExact ? treated == level : treated.MayBe(level) && LesionsThatMayBe(level) <= 1);
        }

        return Facts.Lesions.Count <= 1;
    }

    public string PlannedText => field ??= PlannedDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IReadOnlyList<EvidenceItem> EvidenceOf(Lesion? lesion)
    {
        if (lesion is null)
        {
            return [];
        }

        var evidence = new List<EvidenceItem>(lesion.Findings.Count);
        foreach (var finding in lesion.Findings)
        {
            evidence.Add(finding.Evidence());
        }

        return evidence;
    }

    /// <summary>The items dated inside the episode, in their order (the facts' lists are read once per episode).</summary>
    private IReadOnlyList<T> Inside<T>(IReadOnlyList<T> all, Func<T, ClinicalDate?> dateOf)
    {
        if (all.Count == 0)
        {
            return [];
        }

        var inside = new List<T>(all.Count);
        foreach (var item in all)
        {
            if (Counts(dateOf(item)))
            {
                inside.Add(item);
            }
        }

        return inside;
    }

    private List<Therapy> FindTherapies()
    {
        var daysBeforeOnset = Facts.Settings.TherapyMayStartDaysBeforeOnset;
        var earliestEnd = Start?.AddDays(-daysBeforeOnset);
        var therapies = new List<Therapy>(Facts.Therapies.Count);
        foreach (var therapy in Facts.Therapies)
        {
            if (Counts(therapy.Started, daysBeforeOnset) && (earliestEnd is not { } limit || therapy.Ended is not { } end || end.Latest >= limit))
            {
                therapies.Add(therapy);
            }
        }

        return therapies;
    }

    private List<SpineImaging> FindQualifyingImaging()
    {
        var qualifying = new List<SpineImaging>();
        foreach (var imaging in Facts.SpineImaging)
        {
            if (imaging.CrossSectional && imaging.Performed && Counts(imaging.Date) && CoversTreatedRegion(imaging))
            {
                qualifying.Add(imaging);
            }
        }

        return qualifying;
    }

    private List<Measurement> FindHeightLoss()
    {
        var atLevel = new List<Measurement>();
        foreach (var measurement in Facts.HeightLossMeasurements)
        {
            if (!Facts.IsFuture(measurement.Date) && (measurement.Date is null || measurement.Date.Value.Earliest <= EvidenceEnd) && IsAtTreatedLevel(measurement))
            {
                atLevel.Add(measurement);
            }
        }

        return atLevel;
    }

    private static bool IsAboutLesion(IReadOnlyList<string> about, Lesion lesion)
    {
        foreach (var reference in about)
        {
            if (lesion.IsRecordedIn(reference))
            {
                return true;
            }
        }

        return false;
    }

    private int LesionsThatMayBe(VertebralLevel level)
    {
        var count = 0;
        foreach (var lesion in Facts.Lesions)
        {
            if (lesion.Level is { } other && other.MayBe(level))
            {
                count++;
            }
        }

        return count;
    }

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
        Observation? linked = null;
        var linkedKey = DateTimeOffset.MinValue;
        foreach (var observation in Facts.OnsetObservations)
        {
            if (Names(observation.Focus, lesion) || Names(observation.DerivedFrom, lesion))
            {
                Latest(observation, ref linked, ref linkedKey);
            }
        }

        return linked is null ? null : OnsetOf(linked, "onset recorded for the lesion");
    }

    private static bool Names(List<ResourceReference> references, Lesion lesion)
    {
        foreach (var reference in references)
        {
            if (reference.Reference is { } value && lesion.IsRecordedIn(PatientRecord.Relative(value)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps the latest observation by date (the last one given, among the same date).</summary>
    private static void Latest(Observation observation, ref Observation? latest, ref DateTimeOffset latestKey)
    {
        var key = ClinicalFacts.SortKey(observation);
        if (latest is null || key >= latestKey)
        {
            latest = observation;
            latestKey = key;
        }
    }

    /// <summary>
    /// A pain onset recorded without naming a lesion (our finding, or an onset observation): it dates this
    /// episode only when the chart has one lesion, or when it is about this lesion.
    /// </summary>
    private OnsetReading? RecordedOnset()
    {
        if (Facts.Attested(FindingCodes.PainOnset) is { } attestation)
        {
            var focus = attestation.Observation.Focus;
            var applies = !focus.Exists(f => f.Reference is not null)
                ? Facts.Lesions.Count <= 1 || Unit.Basis == TreatedLevelBasis.Answered
                : Lesion is not null && Names(focus, Lesion);
            if (applies && attestation.DateAnswer is { } date)
            {
                return new OnsetReading(date, null, attestation.Evidence(), "recorded pain onset");
            }
        }

        if (Facts.Lesions.Count > 1)
        {
            return null;
        }

        Observation? unlinked = null;
        var unlinkedKey = DateTimeOffset.MinValue;
        foreach (var observation in Facts.OnsetObservations)
        {
            if (observation.Focus.Count == 0 && observation.DerivedFrom.Count == 0)
            {
                Latest(observation, ref unlinked, ref unlinkedKey);
            }
        }

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
