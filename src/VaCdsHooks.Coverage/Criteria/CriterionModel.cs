using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>Whether a criterion is something the patient must have, or something that must be absent.</summary>
public enum CriterionKind
{
    Inclusion,
    Exclusion,
}

/// <summary>
/// Three-valued result. For an exclusion, <see cref="Met"/> means the excluding condition is present and
/// <see cref="NotMet"/> means it is ruled out. <see cref="Unknown"/> always means documentation is missing.
/// </summary>
public enum CriterionStatus
{
    Met,
    NotMet,
    Unknown,
}

/// <summary>The flags criteria put on results, one home for each.</summary>
public static class CriterionFlags
{
    /// <summary>Coded evidence and an answer disagree, or an answer changed what the record decided: a reviewer decides.</summary>
    public const string Conflict = "conflict";

    /// <summary>The EHR could not provide data the criterion reads.</summary>
    public const string RecordGap = "record-gap";

    /// <summary>Unknown only because it differs between the lesions the order may treat: naming the level settles it.</summary>
    public const string DependsOnTreatedLevel = "depends-on-treated-level";
}

/// <summary>The codes kinds and statuses are written as at the storage and JSON edges.</summary>
public static class CriterionCodesOf
{
    public static string Status(CriterionKind kind, CriterionStatus status) => (kind, status) switch
    {
        (_, CriterionStatus.Unknown) => "unknown",
        (CriterionKind.Inclusion, CriterionStatus.Met) => "met",
        (CriterionKind.Inclusion, _) => "not-met",
        (CriterionKind.Exclusion, CriterionStatus.Met) => "present",
        _ => "ruled-out",
    };

    public static string Kind(CriterionKind kind) => kind == CriterionKind.Inclusion ? "inclusion" : "exclusion";

    /// <summary>The status a code stands for (either kind's vocabulary); anything else is unknown.</summary>
    public static CriterionStatus ParseStatus(string? code) => code switch
    {
        "met" or "present" => CriterionStatus.Met,
        "not-met" or "ruled-out" => CriterionStatus.NotMet,
        _ => CriterionStatus.Unknown,
    };

    public static CriterionKind ParseKind(string? code) => code == "exclusion" ? CriterionKind.Exclusion : CriterionKind.Inclusion;
}

/// <summary>One piece of evidence: the resource, the code, the value and the date a result rests on.</summary>
/// <param name="Reference"><c>Type/id</c> of the resource.</param>
/// <param name="System">Code system of the matched code, if a code matched.</param>
/// <param name="Code">The matched code.</param>
/// <param name="Display">The code's display (from the resource, else from our ValueSet).</param>
/// <param name="Value">A measured or answered value, e.g. <c>7/10</c>, <c>34 %</c>, <c>yes</c>.</param>
/// <param name="Date">The clinically relevant date (onset, effective, started), as recorded.</param>
/// <param name="AttestedBy">For attestations (our finding codes): who attested, if recorded.</param>
public sealed record EvidenceItem(
    string Reference,
    string? System = null,
    string? Code = null,
    string? Display = null,
    string? Value = null,
    string? Date = null,
    string? AttestedBy = null)
{
    public bool IsAttestation => System == CodeSystems.Finding;

    public static string ReferenceOf(Resource resource) => resource.TypeName + "/" + (resource.Id ?? "(no id)");

    /// <summary>
    /// The ordinal order of two resources' <see cref="ReferenceOf"/> without building them: type names are letters,
    /// which sort after the slash, so the type names decide unless equal, then the ids.
    /// </summary>
    public static int CompareReferences(Resource a, Resource b) =>
        string.CompareOrdinal(a.TypeName, b.TypeName) is var byType and not 0 ? byType : string.CompareOrdinal(a.Id ?? "(no id)", b.Id ?? "(no id)");

    public static EvidenceItem Of(Resource resource, Coding? coding = null, string? value = null, string? date = null, string? attestedBy = null) =>
        new(ReferenceOf(resource), coding?.System, coding?.Code, coding?.Display, value, date, attestedBy);

    /// <summary>A compact line for the card: <c>Condition/c1 ICD-10-CM M80.08XA (Age-related ...), 2026-07-24</c>.</summary>
    public string Describe() => AppendDescription(new StringBuilder()).ToString();

    /// <summary>Appends <see cref="Describe"/>'s line to a card's text without building it first.</summary>
    public StringBuilder AppendDescription(StringBuilder text)
    {
        text.Append('`').Append(Reference).Append('`');
        if (Code is not null)
        {
            text.Append(", ").Append(CodeSystems.ShortName(System)).Append(' ').Append(Code);
            if (!string.IsNullOrWhiteSpace(Display))
            {
                text.Append(' ').Append(Display);
            }
        }

        if (Value is not null)
        {
            text.Append(", value ").Append(Value);
        }

        if (Date is not null)
        {
            text.Append(", ").Append(Date);
        }

        if (AttestedBy is not null)
        {
            text.Append(", attested by ").Append(AttestedBy);
        }

        return text;
    }

    /// <summary>The canonical form hashed into the assertion's evidence hash: these fields joined by the unit separator.</summary>
    internal string Canonical() => string.Join('\u001f', Reference, System ?? string.Empty, Code ?? string.Empty, Value ?? string.Empty, Date ?? string.Empty, AttestedBy ?? string.Empty);

    internal const int CanonicalFieldCount = 6;

    /// <summary>Field <paramref name="index"/> of <see cref="Canonical"/> (absent ones empty).</summary>
    internal string CanonicalField(int index) => index switch
    {
        0 => Reference,
        1 => System ?? string.Empty,
        2 => Code ?? string.Empty,
        3 => Value ?? string.Empty,
        4 => Date ?? string.Empty,
        _ => AttestedBy ?? string.Empty,
    };
}

/// <summary>One criterion's result with its evidence and the sentence a surgeon reads.</summary>
public sealed record CriterionResult(
    string CriterionId,
    string Title,
    CriterionKind Kind,
    CriterionStatus Status,
    string Explanation,
    IReadOnlyList<EvidenceItem> Evidence)
{
    /// <summary>Machine flags, e.g. <c>competing-pain-generator</c>, <c>conflict</c>, <c>record-gap</c>.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>What the criterion concluded, coded, when it concludes a kind (the indication: <c>indication-osteoporotic-fracture</c>).</summary>
    public Coding? Conclusion { get; init; }

    /// <summary><c>met</c>/<c>not-met</c>/<c>unknown</c>; for exclusions <c>present</c>/<c>ruled-out</c>/<c>unknown</c>.</summary>
    public string StatusCode => CriterionCodesOf.Status(Kind, Status);

    public string KindCode => CriterionCodesOf.Kind(Kind);
}

/// <summary>What one criterion is judged on: the chart, the order line, and the episode of the treated vertebra.</summary>
public sealed record CriterionContext(ClinicalFacts Facts, InScopeOrder Order, Episode Episode)
{
    public Lesions.Lesion? Lesion => Episode.Lesion;
    public Policy.PolicySettings Settings => Facts.Settings;
    public Policy.PolicyValueSets ValueSets => Facts.ValueSets;
}

/// <summary>
/// A small named unit of the policy, in one file: its id (a code of our criterion CodeSystem), kind, the
/// policy's words, what it reads (resource types, ValueSets, finding codes) and its rule. The registry
/// (<see cref="CriteriaEvaluator.All"/>) derives the lists the rest of the service needs, and the policy load
/// checks every declared ValueSet and finding code exists.
/// </summary>
public interface ICoverageCriterion
{
    /// <summary>The decision model's id, e.g. <c>onset-window</c>.</summary>
    string Id { get; }

    /// <summary>The policy's words, short.</summary>
    string Title { get; }

    CriterionKind Kind { get; }

    /// <summary>Resource types the criterion reads; a gap in any of them makes an absence-based result unknown.</summary>
    IReadOnlyList<string> ReadsResourceTypes { get; }

    /// <summary>Ids of the ValueSets it reads (beyond the shared evidence readers').</summary>
    IReadOnlyList<string> ValueSetsRead { get; }

    /// <summary>Codes of our finding CodeSystem it reads as answers.</summary>
    IReadOnlyList<string> FindingsRead { get; }

    CriterionResult Evaluate(CriterionContext context);
}

/// <summary>Base with helpers to build results.</summary>
public abstract class CoverageCriterion : ICoverageCriterion
{
    public abstract string Id { get; }
    public abstract string Title { get; }
    public abstract CriterionKind Kind { get; }
    public abstract IReadOnlyList<string> ReadsResourceTypes { get; }
    public virtual IReadOnlyList<string> ValueSetsRead => [];
    public virtual IReadOnlyList<string> FindingsRead => [];

    public abstract CriterionResult Evaluate(CriterionContext context);

    protected CriterionResult Met(string explanation, IEnumerable<EvidenceItem>? evidence = null) => Result(CriterionStatus.Met, explanation, evidence);

    protected CriterionResult NotMet(string explanation, IEnumerable<EvidenceItem>? evidence = null) => Result(CriterionStatus.NotMet, explanation, evidence);

    protected CriterionResult Unknown(string explanation, IEnumerable<EvidenceItem>? evidence = null) => Result(CriterionStatus.Unknown, explanation, evidence);

    protected CriterionResult Result(CriterionStatus status, string explanation, IEnumerable<EvidenceItem>? evidence) =>
        new(Id, Title, Kind, status, explanation, Once(evidence));

    /// <summary>
    /// Each item once, in the order first given (criteria pool evidence from several findings). A result holds a
    /// handful of items: a list scan is cheaper than the hash set <c>Distinct</c> builds for every result.
    /// </summary>
    private static IReadOnlyList<EvidenceItem> Once(IEnumerable<EvidenceItem>? evidence)
    {
        if (evidence is IReadOnlyList<EvidenceItem> list)
        {
            // Most results are given a list: indexed, with no enumerator, and none built when it is empty.
            if (list.Count == 0)
            {
                return [];
            }

            var distinct = new List<EvidenceItem>(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                if (!distinct.Contains(list[i]))
                {
                    distinct.Add(list[i]);
                }
            }

            return distinct;
        }

        if (evidence is null)
        {
            return [];
        }

        var once = new List<EvidenceItem>(evidence.TryGetNonEnumeratedCount(out var count) ? count : 4);
        foreach (var item in evidence)
        {
            if (!once.Contains(item))
            {
                once.Add(item);
            }
        }

        return once;
    }

    protected static string Score(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>" on 2026-10-03" or nothing.</summary>
    protected static string On(ClinicalDate? date) => date is { } d ? " on " + d.Text : string.Empty;
}
