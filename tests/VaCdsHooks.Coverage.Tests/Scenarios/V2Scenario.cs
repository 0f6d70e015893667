using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;
using Xunit.Abstractions;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// One Version 2 scenario: a chart, the draft orders, the order line it is about, the expected <c>covered</c> of
/// that line and the status of the one or two criteria the rule is about (the other criteria are not asserted).
/// Orders are built afresh for every run because the order builders change the ServiceRequest they are given.
/// </summary>
internal sealed record V2Scenario(string Name, Func<Chart> Chart, string ExpectedCovered, params (string Criterion, string Status)[] Criteria)
{
    public Func<Resource[]> Orders { get; init; } = () => [Support.Orders.Procedure("22513")];

    /// <summary>The order line the scenario is about; the first ServiceRequest unless told.</summary>
    public string? OrderReference { get; init; }

    public override string ToString() => Name;
}

/// <summary>Shared vocabulary and the one way every Version 2 scenario is run and checked.</summary>
internal static class V2
{
    public const string Covered = "covered";
    public const string NotCovered = "not-covered";
    public const string Conditional = "conditional";

    /// <summary>
    /// Where the decision model says only "never covered" / "no real-time approval" and leaves open whether the
    /// answer is not-covered or conditional: anything but covered passes.
    /// </summary>
    public const string NeverCovered = "not covered on the spot (conditional or not-covered)";

    /// <summary>The new Version 2 inclusion criterion.</summary>
    public const string TreatedLevel = "treated-level";

    public const string Indication = CriterionCodes.Indication;
    public const string Region = CriterionCodes.Region;
    public const string OnsetWindow = CriterionCodes.OnsetWindow;
    public const string PainImpairment = CriterionCodes.PainImpairment;
    public const string FailedOmt = CriterionCodes.FailedOmt;
    public const string ImagingRuledOut = CriterionCodes.ImagingRuledOut;
    public const string CordCompression = CriterionCodes.CordCompression;
    public const string SevereCollapse = CriterionCodes.SevereCollapse;
    public const string Healed = CriterionCodes.Healed;
    public const string SacrumCoccyx = CriterionCodes.SacrumCoccyx;
    public const string Asymptomatic = CriterionCodes.Asymptomatic;
    public const string Responding = CriterionCodes.Responding;

    public const string Icd10 = CodeSystems.Icd10Cm;
    public const string Snomed = CodeSystems.Snomed;
    public const string RxNorm = CodeSystems.RxNorm;

    /// <summary>The baseline: every criterion met for a thoracic kyphoplasty (22513) ordered 2026-11-24.</summary>
    public static Chart Base() => Chart.CoveredThoracicFracture();

    /// <summary>The baseline with its fracture replaced by one at a written level (onset 2026-10-01 unless told).</summary>
    public static Chart BaseAt(string level, string code = "M80.08XA", string onset = "2026-10-01", string id = "fracture") =>
        Base().Without("Condition/fracture").LesionAt(code, level, onset, id);

    /// <summary>
    /// A lumbar patient who meets every criterion for a lumbar kyphoplasty (22514): the baseline with the fracture
    /// at L1 and the MRI of the lumbar spine.
    /// </summary>
    public static Chart LumbarBase() => Base()
        .Without("Condition/fracture").LesionAt("M80.08XA", "L1", "2026-10-01", "fracture")
        .Without("ImagingStudy/mri").Imaging("MR", "2026-10-05", Site.Lumbar, id: "mri");

    public static ServiceRequest Order(string cpt, string? id = null) => Support.Orders.Procedure(cpt, id: id);

    public static void Check(V2Scenario scenario)
    {
        var orders = scenario.Orders();
        var answer = Engine.Advise(TestPolicy.Default, scenario.Chart(), CrdHooks.OrderSign, CrdRequestOptions.Default, orders);
        var reference = scenario.OrderReference ?? "ServiceRequest/" + orders.OfType<ServiceRequest>().First().Id;
        var assertion = answer.Assertions.FirstOrDefault(a => a.OrderReference == reference);

        var actualCovered = assertion?.Covered ?? "(no assertion for " + reference + ")";
        var expectedCovered = scenario.ExpectedCovered == NeverCovered && assertion is not null && actualCovered != Covered
            ? actualCovered
            : scenario.ExpectedCovered;

        var expected = new List<string> { "covered=" + expectedCovered };
        var actual = new List<string> { "covered=" + actualCovered };
        foreach (var (criterion, status) in scenario.Criteria)
        {
            expected.Add(criterion + "=" + status);
            var found = assertion?.Criteria.FirstOrDefault(c => c.CriterionId == criterion);
            actual.Add(criterion + "=" + (found?.StatusCode ?? "(absent)"));
        }

        var expectedText = string.Join("; ", expected);
        var actualText = string.Join("; ", actual);
        if (expectedText != actualText)
        {
            Assert.Fail(scenario.Name + Environment.NewLine + "expected " + expectedText + Environment.NewLine + "actual   " + actualText);
        }
    }

    /// <summary>The theory rows: one per scenario, shown under its full name.</summary>
    public static TheoryData<ScenarioName> Rows(Dictionary<string, V2Scenario> table) => new(table.Keys.Select(k => new ScenarioName(k)));

    /// <summary>Turns a table into xunit rows, refusing duplicate names.</summary>
    public static Dictionary<string, V2Scenario> Index(IEnumerable<V2Scenario> scenarios)
    {
        var table = new Dictionary<string, V2Scenario>(StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            if (!table.TryAdd(scenario.Name, scenario))
            {
                throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture, "Scenario {0} is named twice.", scenario.Name));
            }
        }

        return table;
    }
}

/// <summary>A scenario's name as a theory argument: serializable, and displayed in full (xunit shortens long strings).</summary>
public sealed class ScenarioName : IXunitSerializable
{
    public ScenarioName()
    {
    }

    public ScenarioName(string value) => Value = value;

    public string Value { get; private set; } = "";

    public void Deserialize(IXunitSerializationInfo info) => Value = info.GetValue<string>(nameof(Value));

    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Value), Value);

    public override string ToString() => Value;
}
