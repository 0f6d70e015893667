using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;

namespace VaCdsHooks.Coverage.Lesions;

/// <summary>What a fracture code's 7th character (or a history code) says about healing.</summary>
public enum HealingState
{
    /// <summary>A current fracture: 7th character A, B, D, G or K, or no fracture character at all (a tumour).</summary>
    Current,

    /// <summary>7th character P (malunion): the fracture united, but whether CT/MRI shows it healed is a question.</summary>
    Malunion,

    /// <summary>7th character S (sequela) or a history-of-healed-fracture code.</summary>
    Healed,
}

/// <summary>
/// One coded statement about a vertebral body: a Condition, or a conclusion code of a CT/MRI report.
/// </summary>
/// <param name="Source">The Condition or DiagnosticReport.</param>
/// <param name="Code">The coding that made it a lesion finding.</param>
/// <param name="Concept">Every coding the source gives (an EHR may send ICD-10-CM and SNOMED CT side by side).</param>
/// <param name="Level">Where it is; null when neither a body site nor the code places it.</param>
/// <param name="Suspected">Condition.verificationStatus provisional, differential or unconfirmed.</param>
/// <param name="Onset">The pain onset this finding dates (fractures only; a tumour's diagnosis date is not one).</param>
/// <param name="Healing">What the code says about healing.</param>
/// <param name="Tumour">A tumour deposit (metastasis, myeloma) rather than a fracture: its onset dates the pain only when no fracture is coded at the level.</param>
public sealed record LesionFinding(
    Resource Source,
    Coding Code,
    CodeableConcept Concept,
    VertebralLevel? Level,
    bool Suspected,
    OnsetReading? Onset,
    HealingState Healing,
    bool Tumour = false)
{
    // Read by many criteria of one evaluation: built once (the cache is not part of what the record says).
    private EvidenceItem? _evidence;

    public EvidenceItem Evidence() => _evidence ??=
        EvidenceItem.Of(Source, Code, Suspected ? "suspected" : null, Onset?.Date is { } d ? "onset " + d.Text : null);
}

/// <summary>
/// How an onset was read: the date when it pins a day (or a short span), else why it could not be used.
/// </summary>
/// <param name="Date">The onset as a calendar range; null when the record's onset cannot be used.</param>
/// <param name="Problem">Why it cannot be used (an age, a vague string, a long period), for the card.</param>
/// <param name="Evidence">The resource that says so.</param>
/// <param name="Source">In words: "onset of the coded fracture", "recorded pain onset".</param>
public sealed record OnsetReading(ClinicalDate? Date, string? Problem, EvidenceItem Evidence, string Source);

/// <summary>
/// One vertebral body with a problem (fracture, collapse, tumour, hemangioma, osteonecrosis): every finding the
/// record holds about it. The unit the policy is decided for.
/// </summary>
public sealed class Lesion
{
    private readonly List<LesionFinding> _findings = [];

    internal Lesion(LesionFinding first, string key)
    {
        Key = key;
        _findings.Add(first);
    }

    /// <summary>A stable key for ordering and for pairing answers with lesions (<c>T12</c>, <c>Condition/c1</c>).</summary>
    public string Key { get; }

    public IReadOnlyList<LesionFinding> Findings => _findings;

    private (bool Known, VertebralLevel? Value) _level;
    private (bool Known, OnsetReading? Value) _onset;

    // Read for every episode, measurement and admission that may be about this lesion: built once.
    private List<string>? _references;

    /// <summary>The most precise level any finding gives (a vertebra beats a region); null when unknown.</summary>
    public VertebralLevel? Level
    {
        get
        {
            if (!_level.Known)
            {
                _level = (true, MostPreciseLevel());
            }

            return _level.Value;
        }
    }

    /// <summary>
    /// The lesion's own pain onset: the earliest usable onset among confirmed findings, else among suspected. A
    /// fracture's onset wins; a tumour's diagnosis date dates the pain only when no fracture is coded here.
    /// </summary>
    public OnsetReading? Onset
    {
        get
        {
            if (!_onset.Known)
            {
                _onset = (true, ReadOnset());
            }

            return _onset.Value;
        }
    }

    private VertebralLevel? MostPreciseLevel()
    {
        VertebralLevel? region = null;
        foreach (var finding in _findings)
        {
            if (finding.Level is { IsExact: true } vertebra)
            {
                return vertebra;
            }

            region ??= finding.Level;
        }

        return region;
    }

    // One pass over the findings (the lesion's onset is read for every episode): the earliest dated onset
    // among confirmed findings, else among all, else the first undatable one; the first wins a tie.
    private OnsetReading? ReadOnset()
    {
        var fractureCoded = _findings.Exists(f => !f.Tumour);
        OnsetReading? confirmed = null;
        OnsetReading? any = null;
        OnsetReading? undatable = null;
        foreach (var finding in _findings)
        {
            if ((fractureCoded && finding.Tumour) || finding.Onset is not { } onset)
            {
                continue;
            }

            if (onset.Date is not { } date)
            {
                undatable ??= onset;
                continue;
            }

            if (any is null || date.Earliest < any.Date!.Value.Earliest)
            {
                any = onset;
            }

            if (!finding.Suspected && (confirmed is null || date.Earliest < confirmed.Date!.Value.Earliest))
            {
                confirmed = onset;
            }
        }

        return confirmed ?? any ?? undatable;
    }

    /// <summary>References (<c>Type/id</c>) of the resources behind the findings, each once.</summary>
    public IReadOnlyList<string> References
    {
        get
        {
            if (_references is null)
            {
                var references = new List<string>(_findings.Count);
                foreach (var finding in _findings)
                {
                    var reference = EvidenceItem.ReferenceOf(finding.Source);
                    if (!references.Contains(reference))
                    {
                        references.Add(reference);
                    }
                }

                _references = references;
            }

            return _references;
        }
    }

    /// <summary>Whether the resource <paramref name="reference"/> (<c>Type/id</c>) records a finding of this lesion.</summary>
    public bool IsRecordedIn(string reference) => References.Contains(reference);

    /// <summary>How the card names it: "T12 (Condition/fracture)".</summary>
    public string Describe() => (Level?.Label ?? "level not documented") + " (" + string.Join(", ", References) + ")";

    internal void Add(LesionFinding finding)
    {
        _findings.Add(finding);
        _level = default;
        _onset = default;
        _references = null;
    }

    /// <summary>
    /// Whether <paramref name="finding"/> is about this vertebral body: the same vertebra; or a compatible level
    /// with the same onset; or a report finding (reports carry no onset) at a compatible level. Anything less
    /// stays a lesion of its own, so that two fractures are never pooled into one.
    /// </summary>
    internal bool IsSameBodyAs(LesionFinding finding)
    {
        var level = Level;
        if (level is { IsExact: true } exact && finding.Level is { IsExact: true } other)
        {
            return exact == other;
        }

        var levelFits = level is null || finding.Level is null || level.Value.MayBe(finding.Level.Value);
        if (!levelFits)
        {
            return false;
        }

        if (finding.Source is DiagnosticReport)
        {
            return true;
        }

        var onset = Onset?.Date;
        var findingOnset = finding.Onset?.Date;
        return onset is not null && findingOnset is not null && onset.Value.Earliest == findingOnset.Value.Earliest && onset.Value.Latest == findingOnset.Value.Latest;
    }
}
