using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// What the record says, read once per hook call and weighed as a medical director would: conditions that
/// count (confirmed) apart from suspected ones, vertebral lesions with their levels and onsets, scores that are
/// final, therapies that were taken, imaging that was performed, and answers. Criteria read these for the
/// treated vertebra through an <see cref="Episode"/>; they never walk the raw record.
/// </summary>
public sealed class ClinicalFacts
{
    /// <summary>The ValueSets the evidence readers here use; checked at policy load.</summary>
    public static IReadOnlyList<string> ValueSetsRead { get; } =
    [
        "vertebral-lesions", "current-vertebral-fracture", "healed-vertebral-fracture", "vertebral-metastasis", "multiple-myeloma", "osteoporotic-fracture-site-in-body-site",
        "lesion-site-cervical", "lesion-site-thoracic", "lesion-site-lumbar", "lesion-site-sacrococcygeal", "spine-body-sites", "vertebra-structures",
        "pain-severity-score", "pain-severity-qualifiers", "disability-score-odi", "vertebral-height-loss", "pain-onset-observation",
        "analgesics-nsaid", "analgesics-acetaminophen", "analgesics-opioid", "aspirin", "parenteral-routes", "conservative-therapy-procedures",
        "cross-sectional-imaging-modalities", "projection-or-nuclear-imaging-modalities",
        "imaging-procedures-region-cervical", "imaging-procedures-region-thoracic", "imaging-procedures-region-lumbar", "imaging-procedures-whole-spine",
        "inpatient-encounter-classes", "vertebral-augmentation-history",
    ];

    private static readonly HashSet<string> PresentClinicalStatus = new(StringComparer.Ordinal) { "active", "recurrence", "relapse" };
    private static readonly HashSet<string> SuspectedVerificationStatus = new(StringComparer.Ordinal) { "provisional", "differential", "unconfirmed" };
    private static readonly HashSet<string> DiscountedVerificationStatus = new(StringComparer.Ordinal) { "entered-in-error", "refuted" };

    private readonly Dictionary<string, Attestation> _attestations;

    // Every lesion and criterion asks the same few sets of the same conditions: read each once per record.
    private readonly Dictionary<CodeSet, IReadOnlyList<(Condition Condition, Coding Code)>> _confirmedIn = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<CodeSet, IReadOnlyList<(Condition Condition, Coding Code)>> _suspectedIn = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<CodeSet, IReadOnlyList<(DiagnosticReport Report, Coding Code)>> _reportFindingsIn = new(ReferenceEqualityComparer.Instance);

    private ClinicalFacts(CoveragePolicy policy, PatientRecord record, DateOnly? today)
    {
        Policy = policy;
        Record = record;
        Today = today;
        var vs = policy.ValueSets;

        var counting = SortedStably(record.Conditions.Where(IsPresentOrSuspected).ToList(), static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        Conditions = counting.Where(c => !IsSuspected(c)).ToList();
        SuspectedConditions = counting.Where(IsSuspected).ToList();
        UncodedConditions = counting.Where(c => c.Code is null || c.Code.Coding.All(x => string.IsNullOrEmpty(x.Code))).ToList();

        // Only final, amended or corrected results are evidence; preliminary or registered ones are not yet.
        Observations = record.Observations.Where(o => o.Status is ObservationStatus.Final or ObservationStatus.Amended or ObservationStatus.Corrected).ToList();

        PainScores = PainMeasurements();
        PainFindings = Observations.Where(o => vs["pain-severity-score"].ContainsAny(o.Code) && o.Value is CodeableConcept cc && vs["pain-severity-qualifiers"].ContainsAny(cc)).ToList();
        OswestryScores = Measurements(vs["disability-score-odi"], " %", v => v <= 1m && v > 0m ? v * 100m : v);
        HeightLossMeasurements = Measurements(vs["vertebral-height-loss"], " %", v => v);

        _attestations = new Dictionary<string, Attestation>(StringComparer.Ordinal);
        var answers = new List<(Observation Observation, Coding Code)>();
        foreach (var observation in Observations)
        {
            if (observation.Code?.Coding.FirstOrDefault(c => c.System == CodeSystems.Finding && !string.IsNullOrEmpty(c.Code)) is { } code)
            {
                answers.Add((observation, code));
            }
        }

        foreach (var (observation, code) in SortedStably(answers, static (a, b) => SortKey(a.Observation).CompareTo(SortKey(b.Observation)) is var byDate and not 0 ? byDate : string.CompareOrdinal(a.Observation.Id, b.Observation.Id)))
        {
            // Latest wins: a later answer supersedes an earlier one.
            _attestations[code.Code!] = ToAttestation(observation, code);
        }

        SpineImaging = FindSpineImaging();
        Lesions = BuildLesions();
        Therapies = FindTherapies();
        Admissions = FindAdmissions();
        PriorAugmentations = FindPriorAugmentations();
        OnsetObservations = Observations.Where(o => vs["pain-onset-observation"].ContainsAny(o.Code)).ToList();
    }

    public CoveragePolicy Policy { get; }
    public PolicySettings Settings => Policy.Settings;
    public PolicyValueSets ValueSets => Policy.ValueSets;
    public PatientRecord Record { get; }

    /// <summary>The day of the call: anything dated after it is not evidence yet. Null when not known (then only the planned date limits).</summary>
    public DateOnly? Today { get; }

    /// <summary>Confirmed conditions that count as present (clinicalStatus active/recurrence/relapse or absent; not suspected, refuted or entered-in-error).</summary>
    public IReadOnlyList<Condition> Conditions { get; }

    /// <summary>Conditions recorded as provisional, differential or unconfirmed: neither evidence for nor against.</summary>
    public IReadOnlyList<Condition> SuspectedConditions { get; }

    /// <summary>Counting conditions with only narrative (no code): what they say cannot be read, so nothing is ruled out by their absence.</summary>
    public IReadOnlyList<Condition> UncodedConditions { get; }

    /// <summary>Observations that are evidence (final, amended or corrected).</summary>
    public IReadOnlyList<Observation> Observations { get; }

    public IReadOnlyList<Lesion> Lesions { get; }

    /// <summary>Pain severity scores on 0-10 (a 100 mm VAS divided by 10), oldest first.</summary>
    public IReadOnlyList<Measurement> PainScores { get; }

    /// <summary>Pain recorded as a coded severity (mild/moderate/severe): pain, but not a number.</summary>
    public IReadOnlyList<Observation> PainFindings { get; }

    /// <summary>Oswestry Disability Index scores (%), oldest first.</summary>
    public IReadOnlyList<Measurement> OswestryScores { get; }

    /// <summary>Vertebral height-loss measurements (%), oldest first.</summary>
    public IReadOnlyList<Measurement> HeightLossMeasurements { get; }

    /// <summary>Onset observations (LOINC 11368-8 and the like).</summary>
    public IReadOnlyList<Observation> OnsetObservations { get; }

    /// <summary>Every imaging study or report of the spine (any modality, any status), oldest first.</summary>
    public IReadOnlyList<SpineImaging> SpineImaging { get; }

    /// <summary>Conservative therapies that were taken (not intended, not refused, not entered in error), earliest first.</summary>
    public IReadOnlyList<Therapy> Therapies { get; }

    public IReadOnlyList<Admission> Admissions { get; }

    public IReadOnlyList<PriorAugmentation> PriorAugmentations { get; }

    /// <summary>Whether the patient is recorded as deceased.</summary>
    public bool Deceased => Record.Patient?.Deceased switch
    {
        FhirBoolean b => b.Value == true,
        FhirDateTime => true,
        _ => false,
    };

    public static ClinicalFacts From(CoveragePolicy policy, PatientRecord record, DateOnly? today = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(record);
        return new ClinicalFacts(policy, record, today);
    }

    /// <summary>The latest answer recorded with one of our finding codes, if any.</summary>
    public Attestation? Attested(string findingCode) => _attestations.GetValueOrDefault(findingCode);

    /// <summary>The latest answer recorded under any code of <paramref name="set"/> (e.g. a documented impairment).</summary>
    public Attestation? LatestAnswerIn(CodeSet set)
    {
        Observation? latest = null;
        var latestKey = DateTimeOffset.MinValue;
        foreach (var observation in Observations)
        {
            if (!set.ContainsAny(observation.Code))
            {
                continue;
            }

            // Ordered by date, then id; of equals, the one listed last.
            var key = SortKey(observation);
            var later = latest is null ? 1 : key.CompareTo(latestKey) is var byDate and not 0 ? byDate : string.CompareOrdinal(observation.Id, latest.Id);
            if (later >= 0)
            {
                latest = observation;
                latestKey = key;
            }
        }

        return latest is null ? null : ToAttestation(latest, set.FirstMatch(latest.Code)!);
    }

    /// <summary>Confirmed conditions whose code is in <paramref name="set"/>, with the matching coding.</summary>
    public IReadOnlyList<(Condition Condition, Coding Code)> ConditionsIn(CodeSet set) =>
        _confirmedIn.TryGetValue(set, out var found) ? found : _confirmedIn[set] = Matching(Conditions, set);

    /// <summary>Suspected conditions whose code is in <paramref name="set"/>.</summary>
    public IReadOnlyList<(Condition Condition, Coding Code)> SuspectedIn(CodeSet set) =>
        _suspectedIn.TryGetValue(set, out var found) ? found : _suspectedIn[set] = Matching(SuspectedConditions, set);

    /// <summary>Conclusion codes of performed CT/MRI reports that are in <paramref name="set"/>.</summary>
    public IReadOnlyList<(DiagnosticReport Report, Coding Code)> ReportFindingsIn(CodeSet set) =>
        _reportFindingsIn.TryGetValue(set, out var found) ? found : _reportFindingsIn[set] = ReportFindings(set);

    private List<(DiagnosticReport Report, Coding Code)> ReportFindings(CodeSet set)
    {
        var findings = new List<(DiagnosticReport Report, Coding Code)>();
        var read = new List<DiagnosticReport>();
        foreach (var imaging in SpineImaging)
        {
            if (!imaging.Performed)
            {
                continue;
            }

            foreach (var report in imaging.Reports)
            {
                // A report read with two studies counts once.
                if (read.Contains(report))
                {
                    continue;
                }

                read.Add(report);
                foreach (var conclusion in report.ConclusionCode)
                {
                    if (set.FirstMatch(conclusion) is { } code)
                    {
                        findings.Add((report, code));
                    }
                }
            }
        }

        return findings;
    }

    public static EvidenceItem ConditionEvidence(Condition condition, Coding code) =>
        EvidenceItem.Of(condition, code, IsSuspected(condition) ? "suspected" : null, ClinicalDate.From(condition.Onset) is { } onset ? "onset " + onset.Text : null);

    /// <summary>The level a body site (and failing that, the code) names; <c>NotSpinal</c> when the body site is elsewhere.</summary>
    public SiteReading ReadSite(IReadOnlyList<CodeableConcept?> bodySites, CodeableConcept? code)
    {
        // Loops, not LINQ: every condition, measurement, imaging series and procedure with a body site comes through here.
        var vs = ValueSets;
        var vertebrae = vs["vertebra-structures"];
        VertebralLevel? region = null;
        var saidSomething = false;
        foreach (var site in bodySites)
        {
            if (site is null)
            {
                continue;
            }

            foreach (var coding in site.Coding)
            {
                saidSomething = true;
                if (vertebrae.Contains(coding) && VertebralLevel.Parse(vertebrae.DisplayOf(coding.System!, coding.Code!)) is { } fromCode)
                {
                    return new SiteReading(fromCode, false);
                }

                if (vs.LesionRegionOf(coding) is { } r)
                {
                    region ??= new VertebralLevel(r, null);
                }
            }

            // The text first, then each coding's display.
            for (var i = -1; i < site.Coding.Count; i++)
            {
                var text = i < 0 ? site.Text : site.Coding[i].Display;
                saidSomething |= !string.IsNullOrWhiteSpace(text);
                if (VertebralLevel.Parse(text) is { } parsed && (parsed.IsExact || region is null))
                {
                    return new SiteReading(parsed, false);
                }
            }
        }

        if (region is not null)
        {
            return new SiteReading(region, false);
        }

        if (saidSomething && !NamesTheSpine(bodySites))
        {
            return NotSpinal;
        }

        if (code is not null)
        {
            foreach (var coding in code.Coding)
            {
                if (vs.LesionRegionOf(coding) is { } codeRegion)
                {
                    return new SiteReading(new VertebralLevel(codeRegion, null), false);
                }
            }
        }

        return NoLevel;
    }

    private static readonly SiteReading NotSpinal = new(null, true);
    private static readonly SiteReading NoLevel = new(null, false);

    private bool NamesTheSpine(IReadOnlyList<CodeableConcept?> bodySites)
    {
        var spine = ValueSets["spine-body-sites"];
        foreach (var site in bodySites)
        {
            if (site is not null && site.Coding.Exists(spine.Contains))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a date is after the day of the call (future-dated resources are never evidence).</summary>
    public bool IsFuture(ClinicalDate? date) => Today is { } today && date is { } d && d.Earliest > today;

    /// <summary>How an onset[x] reads: a day or short span, else why not (an age, a vague string, a long period).</summary>
    public OnsetReading? ReadOnset(Resource source, DataType? onset, Coding? code, string sourceText)
    {
        var evidence = EvidenceItem.Of(source, code);
        switch (onset)
        {
            case null:
                return null;
            case Period period:
                var start = ClinicalDate.Parse(period.Start);
                var end = ClinicalDate.Parse(period.End);
                if (start is null)
                {
                    return new OnsetReading(null, "the onset is recorded as a period without a start", evidence, sourceText);
                }

                if (end is { } e && e.Latest.DayNumber - start.Value.Earliest.DayNumber > Settings.OnsetPeriodMaxDays)
                {
                    return new OnsetReading(null, $"the onset is recorded only as the period {period.Start} to {period.End}", evidence with { Date = "onset " + period.Start + "/" + period.End }, sourceText);
                }

                return new OnsetReading(start, null, evidence with { Date = "onset " + start.Value.Text }, sourceText);
            case Age age:
                return new OnsetReading(null, $"the onset is recorded only as an age ({age.Value?.ToString(CultureInfo.InvariantCulture)} {age.Unit})", evidence, sourceText);
            case FhirString text:
                return ClinicalDate.Parse(text.Value) is { } parsedText
                    ? new OnsetReading(parsedText, null, evidence with { Date = "onset " + parsedText.Text }, sourceText)
                    : new OnsetReading(null, $"the onset is recorded only as \"{text.Value}\"", evidence, sourceText);
            case Hl7.Fhir.Model.Range:
                return new OnsetReading(null, "the onset is recorded only as an age range", evidence, sourceText);
            default:
                var date = ClinicalDate.From(onset);
                return date is null ? null : new OnsetReading(date, null, evidence with { Date = "onset " + date.Value.Text }, sourceText);
        }
    }

    private static bool IsPresentOrSuspected(Condition condition)
    {
        if (condition.ClinicalStatus is { } clinical && !HasCode(clinical, PresentClinicalStatus) && clinical.Coding.Exists(c => c.Code is not null))
        {
            return false;
        }

        return condition.VerificationStatus is not { } verification || !HasCode(verification, DiscountedVerificationStatus);
    }

    public static bool IsSuspected(Condition condition) =>
        condition.VerificationStatus is { } verification && HasCode(verification, SuspectedVerificationStatus);

    private static bool HasCode(CodeableConcept concept, HashSet<string> codes)
    {
        foreach (var coding in concept.Coding)
        {
            if (coding?.Code is { } code && codes.Contains(code))
            {
                return true;
            }
        }

        return false;
    }

    private static List<(Condition Condition, Coding Code)> Matching(IEnumerable<Condition> conditions, CodeSet set)
    {
        var matches = new List<(Condition Condition, Coding Code)>();
        foreach (var condition in conditions)
        {
            if (set.FirstMatch(condition.Code) is { } code)
            {
                matches.Add((condition, code));
            }
        }

        return matches;
    }

    internal static DateTimeOffset SortKey(Observation observation) =>
        (ClinicalDate.From(observation.Effective) ?? ClinicalDate.Parse(observation.Issued?.ToString("o", CultureInfo.InvariantCulture)))?.SortKey ?? DateTimeOffset.MinValue;

    /// <summary>
    /// Lesions from Conditions (a vertebral fracture, collapse, tumour with a vertebral site, hemangioma,
    /// osteonecrosis) and from the conclusion codes of performed imaging reports. Findings about one vertebral
    /// body are grouped (<see cref="Lesion.IsSameBodyAs"/>); two fractures are never pooled.
    /// </summary>
    private List<Lesion> BuildLesions()
    {
        var vs = ValueSets;
        var lesionCodes = new[] { vs["vertebral-lesions"], vs["current-vertebral-fracture"], vs["healed-vertebral-fracture"], vs["osteoporotic-fracture-site-in-body-site"] };
        var needsVertebralSite = new[] { vs["vertebral-metastasis"], vs["multiple-myeloma"] };
        var anyBone = vs["osteoporotic-fracture-site-in-body-site"];
        var findings = new List<LesionFinding>();

        foreach (var condition in (IEnumerable<Condition>)[.. Conditions, .. SuspectedConditions])
        {
            var code = FirstMatchIn(lesionCodes, condition.Code);
            if (code is null)
            {
                continue;
            }

            var site = ReadSite(condition.BodySite, condition.Code);
            if (site.NotSpinal)
            {
                continue;
            }

            // A metastasis or myeloma code says "bone", not "vertebra": only a vertebral site makes it a lesion.
            var fracture = vs["current-vertebral-fracture"].ContainsAny(condition.Code);
            var tumour = !fracture && FirstMatchIn(needsVertebralSite, condition.Code) is not null;
            if ((tumour || anyBone.Contains(code)) && site.Level is null)
            {
                continue;
            }

            var healing = HealingOf(code);
            var onset = ReadOnset(condition, condition.Onset, code, tumour ? "onset of the coded tumour" : "onset of the coded lesion");

            // A healed fracture with neither site nor date (a history code) says nothing about the treated vertebra.
            if (healing == HealingState.Healed && site.Level is null && onset is null)
            {
                continue;
            }

            findings.Add(new LesionFinding(condition, code, condition.Code!, site.Level, IsSuspected(condition), onset, healing, tumour));
        }

        foreach (var imaging in FindReportsForLesions())
        {
            foreach (var conclusion in imaging.Report.ConclusionCode)
            {
                var code = FirstMatchIn(lesionCodes, conclusion);
                if (code is null)
                {
                    continue;
                }

                var site = ReadSite([], conclusion);
                var level = site.Level ?? (imaging.Regions.Count == 1 ? new VertebralLevel(imaging.Regions.Single(), null) : null);
                findings.Add(new LesionFinding(imaging.Report, code, conclusion, level, false, null, HealingOf(code)));
            }
        }

        // Vertebrae first, then regions, then unplaced; conditions before reports: the most precise findings anchor lesions.
        var ordered = SortedStably(findings, static (a, b) =>
            (a.Source is DiagnosticReport ? 1 : 0).CompareTo(b.Source is DiagnosticReport ? 1 : 0) is var bySource and not 0 ? bySource
            : Precision(a).CompareTo(Precision(b)) is var byPrecision and not 0 ? byPrecision
            : EvidenceItem.CompareReferences(a.Source, b.Source) is var byReference and not 0 ? byReference
            : string.CompareOrdinal(a.Code.Code, b.Code.Code));
        var lesions = new List<Lesion>();
        foreach (var finding in ordered)
        {
            // Joined only to the one lesion it may be; matching several (or none) makes it a lesion of its own.
            Lesion? same = null;
            var matches = 0;
            foreach (var lesion in lesions)
            {
                if (lesion.IsSameBodyAs(finding))
                {
                    same = lesion;
                    matches++;
                }
            }

            if (matches == 1)
            {
                same!.Add(finding);
            }
            else
            {
                lesions.Add(new Lesion(finding, EvidenceItem.ReferenceOf(finding.Source) + "#" + finding.Code.Code));
            }
        }

        return SortedStably(lesions, static (a, b) =>
            ((int?)a.Level?.Region ?? 99).CompareTo((int?)b.Level?.Region ?? 99) is var byRegion and not 0 ? byRegion
            : (a.Level?.Number ?? 99).CompareTo(b.Level?.Number ?? 99) is var byNumber and not 0 ? byNumber
            : string.CompareOrdinal(a.Key, b.Key));

        static int Precision(LesionFinding finding) => finding.Level is { IsExact: true } ? 0 : finding.Level is null ? 2 : 1;
    }

    private List<(DiagnosticReport Report, IReadOnlySet<SpinalRegion> Regions)> FindReportsForLesions()
    {
        var reports = new List<(DiagnosticReport Report, IReadOnlySet<SpinalRegion> Regions)>();
        foreach (var imaging in SpineImaging)
        {
            if (!imaging.Performed || !imaging.CrossSectional || IsFuture(imaging.Date))
            {
                continue;
            }

            foreach (var report in imaging.Reports)
            {
                // A report read with two studies counts once, with the first study's regions.
                if (!reports.Exists(r => ReferenceEquals(r.Report, report)))
                {
                    reports.Add((report, imaging.Regions));
                }
            }
        }

        return reports;
    }

    /// <summary>The first coding of the concept in the first of <paramref name="sets"/> that has one.</summary>
    private static Coding? FirstMatchIn(CodeSet[] sets, CodeableConcept? concept)
    {
        foreach (var set in sets)
        {
            if (set.FirstMatch(concept) is { } code)
            {
                return code;
            }
        }

        return null;
    }

    private HealingState HealingOf(Coding code)
    {
        if (ValueSets["healed-vertebral-fracture"].Contains(code))
        {
            return HealingState.Healed;
        }

        // ICD-10-CM fracture codes carry the encounter in the 7th character: P is malunion.
        return code.System == CodeSystems.Icd10Cm && code.Code is { Length: 8 } c && c[7] == 'P' ? HealingState.Malunion : HealingState.Current;
    }

    private List<Measurement> PainMeasurements()
    {
        var result = new List<Measurement>();
        foreach (var observation in Observations)
        {
            var code = ValueSets["pain-severity-score"].FirstMatch(observation.Code);
            if (code is null)
            {
                continue;
            }

            decimal? value = observation.Value switch
            {
                Quantity q when IsMillimetres(q) => q.Value / 10m,
                Quantity q when q.Value is { } v && v <= 10m => v,
                Integer i => i.Value,
                FhirDecimal d => d.Value,
                _ => null,
            };
            if (value is { } v2 and >= 0m and <= 10m)
            {
                result.Add(new Measurement(observation, code, v2, "/10", ClinicalDate.From(observation.Effective)));
            }
        }

        return Sorted(result);
    }

    private static bool IsMillimetres(Quantity quantity) =>
        string.Equals(quantity.Code, "mm", StringComparison.Ordinal) || string.Equals(quantity.Unit, "mm", StringComparison.OrdinalIgnoreCase);

    private List<Measurement> Measurements(CodeSet codes, string unit, Func<decimal, decimal> normalize)
    {
        var result = new List<Measurement>();
        foreach (var observation in Observations)
        {
            var code = codes.FirstMatch(observation.Code);
            var value = observation.Value switch
            {
                Quantity q => q.Value,
                Integer i => i.Value,
                FhirDecimal d => d.Value,
                _ => null,
            };
            if (code is not null && value is { } v)
            {
                var site = observation.BodySite is null ? null : ReadSite([observation.BodySite], null).Level;
                var about = observation.Focus.Concat(observation.DerivedFrom).Select(r => r.Reference).OfType<string>().Select(PatientRecord.Relative).ToList();
                result.Add(new Measurement(observation, code, normalize(v), unit, ClinicalDate.From(observation.Effective)) { Level = site, About = about });
            }
        }

        return Sorted(result);
    }

    private static List<Measurement> Sorted(List<Measurement> result) =>
        SortedStably(result, static (a, b) =>
            (a.Date?.SortKey ?? DateTimeOffset.MinValue).CompareTo(b.Date?.SortKey ?? DateTimeOffset.MinValue) is var byDate and not 0 ? byDate
            : string.CompareOrdinal(a.Observation.Id, b.Observation.Id));

    /// <summary>
    /// The list sorted in place, equal items kept in their order (as OrderBy would). A chart's lists are short:
    /// an insertion sort orders them without the objects a LINQ ordering costs even for two items.
    /// </summary>
    private static List<T> SortedStably<T>(List<T> list, Comparison<T> compare)
    {
        if (list.Count > 32)
        {
            var ordered = list.Select((item, index) => (Item: item, Index: index)).ToArray();
            Array.Sort(ordered, (a, b) => compare(a.Item, b.Item) is var byItem and not 0 ? byItem : a.Index.CompareTo(b.Index));
            return ordered.Select(o => o.Item).ToList();
        }

        for (var i = 1; i < list.Count; i++)
        {
            var item = list[i];
            var j = i - 1;
            for (; j >= 0 && compare(list[j], item) > 0; j--)
            {
                list[j + 1] = list[j];
            }

            list[j + 1] = item;
        }

        return list;
    }

    private static Attestation ToAttestation(Observation observation, Coding code)
    {
        bool? answer = observation.Value switch
        {
            FhirBoolean b => b.Value,
            CodeableConcept cc when cc.Coding.Any(c => c.Code is "Y" or "yes" or "373066001") => true,
            CodeableConcept cc when cc.Coding.Any(c => c.Code is "N" or "no" or "373067005") => false,
            _ => null,
        };
        var dateAnswer = observation.Value is FhirDateTime dt ? ClinicalDate.Parse(dt.Value) : null;
        var author = observation.Performer.FirstOrDefault() is { } performer ? performer.Display ?? performer.Reference : null;
        return new Attestation(observation, code, answer, dateAnswer, observation.Value as Quantity, ClinicalDate.From(observation.Effective), author)
        {
            TextAnswer = (observation.Value as FhirString)?.Value,
            CodedAnswer = answer is null && observation.Value is CodeableConcept coded ? coded.Coding.FirstOrDefault() : null,
        };
    }

    private List<SpineImaging> FindSpineImaging()
    {
        var vs = ValueSets;
        var result = new List<SpineImaging>();
        var reportsByStudy = new Dictionary<string, List<DiagnosticReport>>(StringComparer.Ordinal);
        var unlinked = new List<DiagnosticReport>();
        var studiesOnFile = Record.DiagnosticReports.Count == 0 ? null : Record.ImagingStudies.Select(s => "ImagingStudy/" + s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var report in Record.DiagnosticReports)
        {
            if (report.Status is DiagnosticReport.DiagnosticReportStatus.EnteredInError)
            {
                continue;
            }

            var linked = false;
            foreach (var reference in report.ImagingStudy)
            {
                if (reference.Reference is { } value && PatientRecord.Relative(value) is var study && studiesOnFile!.Contains(study))
                {
                    (reportsByStudy.TryGetValue(study, out var list) ? list : reportsByStudy[study] = []).Add(report);
                    linked = true;
                }
            }

            if (!linked)
            {
                unlinked.Add(report);
            }
        }

        foreach (var study in Record.ImagingStudies)
        {
            if (study.Status is ImagingStudy.ImagingStudyStatus.EnteredInError)
            {
                continue;
            }

            var modalities = new List<Coding>(study.Modality.Count + study.Series.Count);
            modalities.AddRange(study.Modality.Where(m => m is not null));
            var regions = new HashSet<SpinalRegion>();
            var siteSaid = false;
            foreach (var series in study.Series)
            {
                if (series.Modality is { } seriesModality)
                {
                    modalities.Add(seriesModality);
                }

                if (series.BodySite is { } site)
                {
                    siteSaid = true;
                    AddRegions(regions, new CodeableConcept { Coding = [site] });
                }
            }

            foreach (var procedure in study.ProcedureCode)
            {
                siteSaid |= AddProcedureRegions(regions, procedure);
            }

            var reports = reportsByStudy.GetValueOrDefault("ImagingStudy/" + study.Id) ?? [];
            foreach (var report in reports)
            {
                siteSaid |= AddProcedureRegions(regions, report.Code);
            }

            if (!siteSaid && Settings.AcceptImagingWithoutBodySite)
            {
                regions.UnionWith(AllRegions);
            }

            if (regions.Count == 0)
            {
                continue;
            }

            var crossSectional = modalities.FirstOrDefault(vs["cross-sectional-imaging-modalities"].Contains)
                ?? (study.ProcedureCode.Concat(reports.Select(r => r.Code)).Any(IsCrossSectionalProcedure) ? new Coding(CodeSystems.Dicom, "MR") : null);
            var other = modalities.FirstOrDefault(vs["projection-or-nuclear-imaging-modalities"].Contains);
            var modality = crossSectional ?? other;
            if (modality is null)
            {
                continue;
            }

            var readable = reports.Count == 0 || reports.Any(r => r.ConclusionCode.Count > 0);
            var performed = study.Status is ImagingStudy.ImagingStudyStatus.Available;
            var date = ClinicalDate.Parse(study.Started) ?? reports.Select(r => ClinicalDate.From(r.Effective)).FirstOrDefault(d => d is not null);
            result.Add(new SpineImaging(study, modality, crossSectional is not null, performed, date, regions, readable, reports));
        }

        foreach (var report in unlinked)
        {
            var regions = new HashSet<SpinalRegion>();
            if (!AddProcedureRegions(regions, report.Code) || !IsCrossSectionalProcedure(report.Code))
            {
                continue;
            }

            var performed = report.Status is DiagnosticReport.DiagnosticReportStatus.Final or DiagnosticReport.DiagnosticReportStatus.Amended
                or DiagnosticReport.DiagnosticReportStatus.Corrected or DiagnosticReport.DiagnosticReportStatus.Appended;
            var modality = report.Code?.Coding.FirstOrDefault(IsRegionProcedure) ?? new Coding(CodeSystems.Dicom, "MR");
            result.Add(new SpineImaging(report, ModalityOf(report.Code) ?? modality, true, performed, ClinicalDate.From(report.Effective), regions, report.ConclusionCode.Count > 0, [report]));
        }

        return SortedStably(result, static (a, b) =>
            (a.Date?.SortKey ?? DateTimeOffset.MinValue).CompareTo(b.Date?.SortKey ?? DateTimeOffset.MinValue) is var byDate and not 0 ? byDate
            : EvidenceItem.CompareReferences(a.Source, b.Source));
    }

    private static Coding? ModalityOf(CodeableConcept? code)
    {
        var text = string.Join(' ', new[] { code?.Text }.Concat(code?.Coding.Select(c => c.Display) ?? []).OfType<string>());
        if (text.Contains("MRI", StringComparison.OrdinalIgnoreCase) || text.StartsWith("MR ", StringComparison.OrdinalIgnoreCase) || text.Contains("magnetic", StringComparison.OrdinalIgnoreCase))
        {
            return new Coding(CodeSystems.Dicom, "MR");
        }

        return text.Contains("CT", StringComparison.Ordinal) || text.Contains("computed tomograph", StringComparison.OrdinalIgnoreCase) ? new Coding(CodeSystems.Dicom, "CT") : null;
    }

    private static readonly SpinalRegion[] AllRegions = Enum.GetValues<SpinalRegion>();

    private static readonly (SpinalRegion Region, string Set)[] RegionProcedures =
    [
        (SpinalRegion.Cervical, "imaging-procedures-region-cervical"),
        (SpinalRegion.Thoracic, "imaging-procedures-region-thoracic"),
        (SpinalRegion.Lumbar, "imaging-procedures-region-lumbar"),
    ];

    private static readonly (TherapyClass Class, string Set)[] AnalgesicClasses =
    [
        (TherapyClass.Opioid, "analgesics-opioid"),
        (TherapyClass.Nsaid, "analgesics-nsaid"),
        (TherapyClass.Acetaminophen, "analgesics-acetaminophen"),
    ];

    private static readonly string[] RegionProcedureSets = ["imaging-procedures-region-cervical", "imaging-procedures-region-thoracic", "imaging-procedures-region-lumbar", "imaging-procedures-whole-spine"];

    private bool IsRegionProcedure(Coding coding) => RegionProcedureSets.Any(s => ValueSets[s].Contains(coding));

    private bool IsCrossSectionalProcedure(CodeableConcept? concept) => concept?.Coding.Any(IsRegionProcedure) == true;

    private bool AddProcedureRegions(HashSet<SpinalRegion> regions, CodeableConcept? concept)
    {
        if (concept is null)
        {
            return false;
        }

        var vs = ValueSets;
        var before = regions.Count;
        var found = false;
        foreach (var coding in concept.Coding)
        {
            if (vs["imaging-procedures-whole-spine"].Contains(coding))
            {
                regions.UnionWith(AllRegions);
                found = true;
            }

            foreach (var (region, set) in RegionProcedures)
            {
                if (vs[set].Contains(coding))
                {
                    regions.Add(region);
                    found = true;
                }
            }
        }

        return found || regions.Count > before;
    }

    private void AddRegions(HashSet<SpinalRegion> regions, CodeableConcept site)
    {
        var reading = ReadSite([site], null);
        if (reading.Level is { } level)
        {
            regions.Add(level.Region);
        }
        else if (!reading.NotSpinal && site.Coding.Any(c => ValueSets["spine-body-sites"].Contains(c)))
        {
            // The spine as a whole (vertebral column, spinal structure).
            regions.UnionWith(AllRegions);
        }
    }

    private List<Therapy> FindTherapies()
    {
        var vs = ValueSets;
        var result = new List<Therapy>();
        foreach (var statement in Record.MedicationStatements)
        {
            // Taken: active or completed, or stopped (the episode decides whether it stopped too early).
            if (statement.Status is not (MedicationStatement.MedicationStatusCodes.Active or MedicationStatement.MedicationStatusCodes.Completed or MedicationStatement.MedicationStatusCodes.Stopped))
            {
                continue;
            }

            var concept = MedicationConcept(statement.Medication, statement);
            var (start, end) = statement.Effective switch
            {
                Period p => (ClinicalDate.Parse(p.Start), ClinicalDate.Parse(p.End)),
                var other => (ClinicalDate.From(other), statement.Status == MedicationStatement.MedicationStatusCodes.Stopped ? ClinicalDate.From(other) : null),
            };
            start ??= ClinicalDate.Parse(statement.DateAsserted);
            AddMedication(result, statement, concept, statement.Dosage, start, end);
        }

        foreach (var request in Record.MedicationRequests)
        {
            if (request.Status is not (MedicationRequest.MedicationrequestStatus.Active or MedicationRequest.MedicationrequestStatus.Completed)
                || request.Intent is not (MedicationRequest.MedicationRequestIntent.Order or MedicationRequest.MedicationRequestIntent.OriginalOrder
                    or MedicationRequest.MedicationRequestIntent.ReflexOrder or MedicationRequest.MedicationRequestIntent.FillerOrder
                    or MedicationRequest.MedicationRequestIntent.InstanceOrder or MedicationRequest.MedicationRequestIntent.Plan))
            {
                continue;
            }

            var concept = MedicationConcept(request.Medication, request);
            var end = ClinicalDate.Parse(request.DispenseRequest?.ValidityPeriod?.End);
            AddMedication(result, request, concept, request.DosageInstruction, ClinicalDate.Parse(request.AuthoredOn), end);
        }

        foreach (var procedure in Record.Procedures)
        {
            if (procedure.Status is not (EventStatus.Completed or EventStatus.InProgress))
            {
                continue;
            }

            if (vs["conservative-therapy-procedures"].FirstMatch(procedure.Code) is { } code)
            {
                var (start, end) = procedure.Performed switch
                {
                    Period p => (ClinicalDate.Parse(p.Start), ClinicalDate.Parse(p.End)),
                    var other => (ClinicalDate.From(other), null),
                };
                result.Add(new Therapy(procedure, code, TherapyClass.NonPharmacological, start, end, false));
            }
        }

        return SortedStably(result, static (a, b) =>
            (a.Started?.SortKey ?? DateTimeOffset.MaxValue).CompareTo(b.Started?.SortKey ?? DateTimeOffset.MaxValue) is var byStart and not 0 ? byStart
            : EvidenceItem.CompareReferences(a.Resource, b.Resource));
    }

    private CodeableConcept? MedicationConcept(DataType? medication, DomainResource container)
    {
        switch (medication)
        {
            case CodeableConcept concept:
                return concept;
            case ResourceReference reference:
                var resolved = Record.ResolveMedication(reference, container);
                if (resolved is null)
                {
                    return null;
                }

                var all = new CodeableConcept { Coding = [.. resolved.Code?.Coding ?? []] };
                foreach (var ingredient in resolved.Ingredient)
                {
                    if (ingredient.Item is CodeableConcept item)
                    {
                        all.Coding.AddRange(item.Coding);
                    }
                }

                return all;
            default:
                return null;
        }
    }

    private void AddMedication(List<Therapy> result, Resource resource, CodeableConcept? concept, List<Dosage> dosages, ClinicalDate? start, ClinicalDate? end)
    {
        if (concept is null)
        {
            return;
        }

        var vs = ValueSets;
        var parenteralRoutes = vs["parenteral-routes"];
        var parenteral = dosages.Exists(d => parenteralRoutes.ContainsAny(d.Route));
        foreach (var (therapyClass, set) in AnalgesicClasses)
        {
            if (vs[set].FirstMatch(concept) is { } code)
            {
                result.Add(new Therapy(resource, code, therapyClass, start, end, parenteral));
                return;
            }
        }

        // Aspirin is an analgesic only above the low-dose (antiplatelet) range; an unknown dose is not one.
        if (vs["aspirin"].FirstMatch(concept) is { } aspirin && DailyMilligrams(dosages) is { } mg && mg > Settings.LowDoseAspirinMaxMgPerDay)
        {
            result.Add(new Therapy(resource, aspirin, TherapyClass.AspirinAnalgesic, start, end, parenteral));
        }
    }

    /// <summary>The daily dose in mg when the dosage says it (dose in mg times the doses per day); null otherwise.</summary>
    private static decimal? DailyMilligrams(IReadOnlyList<Dosage> dosages)
    {
        decimal? total = null;
        foreach (var dosage in dosages)
        {
            var dose = dosage.DoseAndRate.Select(d => d.Dose).OfType<Quantity>().FirstOrDefault();
            if (dose?.Value is not { } value || !(string.Equals(dose.Code, "mg", StringComparison.Ordinal) || string.Equals(dose.Unit, "mg", StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            var repeat = dosage.Timing?.Repeat;
            decimal perDay = 1m;
            if (repeat?.Frequency is { } frequency && repeat.Period is { } period && period > 0)
            {
                var days = repeat.PeriodUnit switch
                {
                    Timing.UnitsOfTime.H => period / 24m,
                    Timing.UnitsOfTime.Min => period / 1440m,
                    Timing.UnitsOfTime.Wk => period * 7m,
                    _ => period,
                };
                perDay = frequency / days;
            }

            total = (total ?? 0m) + value * perDay;
        }

        return total;
    }

    private List<Admission> FindAdmissions()
    {
        var result = new List<Admission>();
        foreach (var encounter in Record.Encounters)
        {
            if (encounter.Status is Encounter.EncounterStatus.Cancelled or Encounter.EncounterStatus.EnteredInError or Encounter.EncounterStatus.Planned)
            {
                continue;
            }

            if (encounter.Class is not { } encounterClass || !ValueSets["inpatient-encounter-classes"].Contains(encounterClass))
            {
                continue;
            }

            var reasons = encounter.ReasonReference.Concat(encounter.Diagnosis.Select(d => d.Condition)).Select(r => r?.Reference).OfType<string>().Select(PatientRecord.Relative).ToList();
            var vertebral = encounter.ReasonCode.Any(ValueSets["vertebral-lesions"].ContainsAny);
            result.Add(new Admission(encounter, encounterClass, ClinicalDate.Parse(encounter.Period?.Start), reasons, vertebral));
        }

        return result;
    }

    private List<PriorAugmentation> FindPriorAugmentations()
    {
        var result = new List<PriorAugmentation>();
        foreach (var procedure in Record.Procedures)
        {
            if (procedure.Status is not EventStatus.Completed || ValueSets["vertebral-augmentation-history"].FirstMatch(procedure.Code) is not { } code)
            {
                continue;
            }

            var level = ReadSite(procedure.BodySite, null).Level;
            result.Add(new PriorAugmentation(procedure, code, level, ClinicalDate.From(procedure.Performed)));
        }

        return result;
    }
}

/// <summary>Where a body site places a finding: a level, nothing, or somewhere that is not the spine.</summary>
public sealed record SiteReading(VertebralLevel? Level, bool NotSpinal);
