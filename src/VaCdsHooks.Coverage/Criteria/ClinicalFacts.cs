using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>A coded vertebral lesion (fracture, metastasis, myeloma, ...) and the spinal regions it is placed in.</summary>
public sealed record Lesion(Condition Condition, Coding Code, IReadOnlySet<SpinalRegion> Regions, IReadOnlyList<Coding> RegionCodes, ClinicalDate? Onset)
{
    public EvidenceItem Evidence() => EvidenceItem.Of(Condition, Code, date: Onset is { } onset ? "onset " + onset.Text : null);
}

/// <summary>A numeric observation (pain score, ODI, height loss) with its date.</summary>
public sealed record Measurement(Observation Observation, Coding Code, decimal Value, string Unit, ClinicalDate? Date)
{
    public EvidenceItem Evidence() => EvidenceItem.Of(Observation, Code, Value.ToString("0.##", CultureInfo.InvariantCulture) + Unit, Date?.Text);
}

/// <summary>An answer recorded with one of our finding codes (from the EHR or a completed questionnaire).</summary>
public sealed record Attestation(Observation Observation, Coding Code, bool? Answer, ClinicalDate? DateAnswer, Quantity? Quantity, ClinicalDate? Date, string? Author)
{
    public EvidenceItem Evidence()
    {
        var value = Answer switch
        {
            true => "yes",
            false => "no",
            null when DateAnswer is { } d => d.Text,
            null when Quantity?.Value is { } q => q.ToString("0.##", CultureInfo.InvariantCulture) + (Quantity.Unit ?? Quantity.Code ?? string.Empty),
            _ => null,
        };
        return EvidenceItem.Of(Observation, Code, value, Date?.Text, Author);
    }
}

/// <summary>A CT/MRI/X-ray/bone scan of the spine.</summary>
public sealed record SpineImaging(ImagingStudy Study, Coding Modality, bool CrossSectional, ClinicalDate? Started)
{
    public EvidenceItem Evidence() => EvidenceItem.Of(Study, Modality, date: Started?.Text);
}

/// <summary>A documented conservative therapy (analgesic or procedure) and when it started.</summary>
public sealed record Therapy(Resource Resource, Coding Code, ClinicalDate? Started, bool Parenteral)
{
    public EvidenceItem Evidence() => EvidenceItem.Of(Resource, Code, Parenteral ? "parenteral" : null, Started is { } s ? "started " + s.Text : null);
}

/// <summary>When the pain began, and what says so.</summary>
public sealed record PainOnset(ClinicalDate Date, EvidenceItem Evidence, string Source);

/// <summary>
/// What the record says, read once per hook call: counting conditions and observations (status rules of the
/// decision model applied), lesions with regions, pain scores in date order, attestations, spine imaging and
/// therapies. Criteria read these; they never walk the raw record.
/// </summary>
public sealed class ClinicalFacts
{
    private static readonly HashSet<string> PresentClinicalStatus = new(StringComparer.Ordinal) { "active", "recurrence", "relapse" };
    private static readonly HashSet<string> DiscountedVerificationStatus = new(StringComparer.Ordinal) { "entered-in-error", "refuted" };

    private readonly Dictionary<string, Attestation> _attestations;

    private ClinicalFacts(CoveragePolicy policy, PatientRecord record)
    {
        Policy = policy;
        Record = record;
        var vs = policy.ValueSets;

        Conditions = record.Conditions.Where(CountsAsPresent).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        Observations = record.Observations
            .Where(o => o.Status is not ObservationStatus.EnteredInError and not ObservationStatus.Cancelled)
            .ToList();

        Lesions = Conditions
            .Select(c => (Condition: c, Code: vs.VertebralLesions.FirstMatch(c.Code)))
            .Where(x => x.Code is not null)
            .Select(x => ToLesion(x.Condition, x.Code!))
            .ToList();

        PainScores = Measurements(vs.PainSeverity, "/10");
        OswestryScores = Measurements(vs.OswestryDisabilityIndex, " %");
        HeightLossMeasurements = Measurements(vs.VertebralHeightLoss, " %");

        _attestations = new Dictionary<string, Attestation>(StringComparer.Ordinal);
        foreach (var observation in Observations.OrderBy(SortKey).ThenBy(o => o.Id, StringComparer.Ordinal))
        {
            var code = observation.Code?.Coding.FirstOrDefault(c => c.System == CodeSystems.Finding && !string.IsNullOrEmpty(c.Code));
            if (code is not null)
            {
                // Latest wins: a later answer supersedes an earlier one.
                _attestations[code.Code!] = ToAttestation(observation, code);
            }
        }

        PainOnset = FindPainOnset();
        SpineImaging = FindSpineImaging();
        CrossSectionalSpineImagingAfterOnset = SpineImaging
            .Where(i => i.CrossSectional && IsAfterOnset(i.Started))
            .ToList();
        Therapies = FindTherapies();
    }

    public CoveragePolicy Policy { get; }
    public PolicySettings Settings => Policy.Settings;
    public PolicyValueSets ValueSets => Policy.ValueSets;
    public PatientRecord Record { get; }

    /// <summary>Conditions that count as present (clinicalStatus active/recurrence/relapse or absent; not entered-in-error/refuted).</summary>
    public IReadOnlyList<Condition> Conditions { get; }

    /// <summary>Observations that count (not entered-in-error, not cancelled).</summary>
    public IReadOnlyList<Observation> Observations { get; }

    public IReadOnlyList<Lesion> Lesions { get; }

    /// <summary>Pain severity scores (0-10), oldest first.</summary>
    public IReadOnlyList<Measurement> PainScores { get; }

    public Measurement? LatestPainScore => PainScores.Count > 0 ? PainScores[^1] : null;

    /// <summary>Oswestry Disability Index scores (%), oldest first.</summary>
    public IReadOnlyList<Measurement> OswestryScores { get; }

    /// <summary>Vertebral height-loss measurements (%), oldest first.</summary>
    public IReadOnlyList<Measurement> HeightLossMeasurements { get; }

    public PainOnset? PainOnset { get; }

    /// <summary>Every counting imaging study of the spine (any modality, any date).</summary>
    public IReadOnlyList<SpineImaging> SpineImaging { get; }

    /// <summary>CT/MRI of the spine on or after pain onset (every CT/MRI of the spine when onset is unknown).</summary>
    public IReadOnlyList<SpineImaging> CrossSectionalSpineImagingAfterOnset { get; }

    public IReadOnlyList<Therapy> Therapies { get; }

    public static ClinicalFacts From(CoveragePolicy policy, PatientRecord record)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(record);
        return new ClinicalFacts(policy, record);
    }

    /// <summary>The latest answer recorded with one of our finding codes, if any.</summary>
    public Attestation? Attested(string findingCode) => _attestations.GetValueOrDefault(findingCode);

    /// <summary>The latest answer recorded under any code of <paramref name="set"/> (e.g. a documented impairment).</summary>
    public Attestation? LatestAnswerIn(CodeSet set)
    {
        var latest = Observations
            .Where(o => set.ContainsAny(o.Code))
            .OrderBy(SortKey)
            .ThenBy(o => o.Id, StringComparer.Ordinal)
            .LastOrDefault();
        return latest is null ? null : ToAttestation(latest, set.FirstMatch(latest.Code)!);
    }

    /// <summary>Counting conditions whose code is in <paramref name="set"/>, with the matching coding.</summary>
    public IReadOnlyList<(Condition Condition, Coding Code)> ConditionsIn(CodeSet set) =>
        Conditions
            .Select(c => (Condition: c, Code: set.FirstMatch(c.Code)))
            .Where(x => x.Code is not null)
            .Select(x => (x.Condition, x.Code!))
            .ToList();

    public static EvidenceItem ConditionEvidence(Condition condition, Coding code) =>
        EvidenceItem.Of(condition, code, date: ClinicalDate.From(condition.Onset) is { } onset ? "onset " + onset.Text : null);

    /// <summary>Whether a study date is on or after pain onset (true when either is unknown: then nothing can be compared).</summary>
    public bool IsAfterOnset(ClinicalDate? date) => PainOnset is null || date is null || date.Value.Earliest >= PainOnset.Date.Earliest;

    /// <summary>The regions of the lesions (empty when no lesion has a known region).</summary>
    public IReadOnlySet<SpinalRegion> LesionRegions => Lesions.SelectMany(l => l.Regions).ToHashSet();

    private static bool CountsAsPresent(Condition condition)
    {
        var clinical = condition.ClinicalStatus?.Coding.Select(c => c.Code).OfType<string>().ToList();
        if (clinical is { Count: > 0 } && !clinical.Any(PresentClinicalStatus.Contains))
        {
            return false;
        }

        var verification = condition.VerificationStatus?.Coding.Select(c => c.Code).OfType<string>();
        return verification is null || !verification.Any(DiscountedVerificationStatus.Contains);
    }

    private static DateTimeOffset SortKey(Observation observation) =>
        (ClinicalDate.From(observation.Effective) ?? ClinicalDate.Parse(observation.Issued?.ToString("o", CultureInfo.InvariantCulture)))?.SortKey ?? DateTimeOffset.MinValue;

    private Lesion ToLesion(Condition condition, Coding code)
    {
        var regions = new HashSet<SpinalRegion>();
        var regionCodes = new List<Coding>();
        var candidates = (condition.Code?.Coding ?? []).Concat(condition.BodySite.SelectMany(b => b.Coding));
        foreach (var coding in candidates)
        {
            foreach (var (region, set) in Policy.ValueSets.LesionSites)
            {
                if (set.Contains(coding))
                {
                    regions.Add(region);
                    if (!regionCodes.Contains(coding))
                    {
                        regionCodes.Add(coding);
                    }
                }
            }
        }

        return new Lesion(condition, code, regions, regionCodes, ClinicalDate.From(condition.Onset));
    }

    private List<Measurement> Measurements(CodeSet codes, string unit)
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
                result.Add(new Measurement(observation, code, v, unit, ClinicalDate.From(observation.Effective)));
            }
        }

        return result
            .OrderBy(m => m.Date?.SortKey ?? DateTimeOffset.MinValue)
            .ThenBy(m => m.Observation.Id, StringComparer.Ordinal)
            .ToList();
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
        return new Attestation(observation, code, answer, dateAnswer, observation.Value as Quantity, ClinicalDate.From(observation.Effective), author);
    }

    /// <summary>
    /// A recorded pain onset (our finding) wins; else the most recent onset among lesions not confined to the
    /// sacrum/coccyx (the fracture being treated is the newest one), else the most recent onset of any lesion.
    /// </summary>
    private PainOnset? FindPainOnset()
    {
        if (Attested(FindingCodes.PainOnset) is { DateAnswer: { } recorded } attestation)
        {
            return new PainOnset(recorded, attestation.Evidence(), "recorded pain onset");
        }

        var dated = Lesions.Where(l => l.Onset is not null).ToList();
        var candidates = dated.Where(l => l.Regions.Count == 0 || l.Regions.Any(r => r.IsCoveredRegion())).ToList();
        var lesion = (candidates.Count > 0 ? candidates : dated)
            .OrderByDescending(l => l.Onset!.Value.Latest)
            .ThenBy(l => l.Condition.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        return lesion is null ? null : new PainOnset(lesion.Onset!.Value, lesion.Evidence(), "onset of the coded lesion");
    }

    private List<SpineImaging> FindSpineImaging()
    {
        var vs = Policy.ValueSets;
        var result = new List<SpineImaging>();
        foreach (var study in Record.ImagingStudies)
        {
            if (study.Status is ImagingStudy.ImagingStudyStatus.EnteredInError or ImagingStudy.ImagingStudyStatus.Cancelled)
            {
                continue;
            }

            var sites = study.Series.Select(s => s.BodySite).Where(s => s is not null).ToList();
            var isSpine = sites.Count == 0 ? Settings.AcceptImagingWithoutBodySite : sites.Any(vs.SpineBodySites.Contains);
            if (!isSpine)
            {
                continue;
            }

            var modalities = study.Modality.Concat(study.Series.Select(s => s.Modality)).Where(m => m is not null).ToList();
            var crossSectional = modalities.FirstOrDefault(vs.CrossSectionalImaging.Contains);
            var other = modalities.FirstOrDefault(vs.ProjectionOrNuclearImaging.Contains);
            var started = ClinicalDate.Parse(study.Started);
            if (crossSectional is not null)
            {
                result.Add(new SpineImaging(study, crossSectional, true, started));
            }
            else if (other is not null)
            {
                result.Add(new SpineImaging(study, other, false, started));
            }
        }

        return result.OrderBy(i => i.Started?.SortKey ?? DateTimeOffset.MinValue).ThenBy(i => i.Study.Id, StringComparer.Ordinal).ToList();
    }

    private List<Therapy> FindTherapies()
    {
        var vs = Policy.ValueSets;
        var result = new List<Therapy>();
        foreach (var statement in Record.MedicationStatements)
        {
            if (statement.Status is MedicationStatement.MedicationStatusCodes.EnteredInError or MedicationStatement.MedicationStatusCodes.NotTaken)
            {
                continue;
            }

            if (vs.Analgesics.FirstMatch(statement.Medication as CodeableConcept) is { } code)
            {
                var parenteral = statement.Dosage.Any(d => vs.ParenteralRoutes.ContainsAny(d.Route));
                result.Add(new Therapy(statement, code, ClinicalDate.From(statement.Effective), parenteral));
            }
        }

        foreach (var request in Record.MedicationRequests)
        {
            if (request.Status is MedicationRequest.MedicationrequestStatus.EnteredInError or MedicationRequest.MedicationrequestStatus.Cancelled
                or MedicationRequest.MedicationrequestStatus.Draft)
            {
                continue;
            }

            if (vs.Analgesics.FirstMatch(request.Medication as CodeableConcept) is { } code)
            {
                var parenteral = request.DosageInstruction.Any(d => vs.ParenteralRoutes.ContainsAny(d.Route));
                result.Add(new Therapy(request, code, ClinicalDate.Parse(request.AuthoredOn), parenteral));
            }
        }

        foreach (var procedure in Record.Procedures)
        {
            if (procedure.Status is EventStatus.EnteredInError or EventStatus.NotDone or EventStatus.Preparation)
            {
                continue;
            }

            if (vs.ConservativeTherapyProcedures.FirstMatch(procedure.Code) is { } code)
            {
                result.Add(new Therapy(procedure, code, ClinicalDate.From(procedure.Performed), false));
            }
        }

        return result.OrderBy(t => t.Started?.SortKey ?? DateTimeOffset.MaxValue).ThenBy(t => EvidenceItem.ReferenceOf(t.Resource), StringComparer.Ordinal).ToList();
    }
}
