using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

/// <summary>The documentation step wired the way the host wires it: master loaded once, builders over the default policy.</summary>
internal static class Dtr
{
    private static readonly Lazy<DocumentationQuestionnaire> LazyMaster = new(() => DocumentationQuestionnaire.Load(TestPolicy.FhirResources, TestPolicy.Default));

    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir();

    public static DocumentationQuestionnaire Master => LazyMaster.Value;

    public static DocumentationQuestionnaireBuilder Builder { get; } = new(TestPolicy.Default, LazyMaster.Value);

    public static string DtrFixtures => "/work/shared/fixtures/dtr-conformance-examples";

    /// <summary>The thoracic kyphoplasty assertion the CRD answer made for this chart.</summary>
    public static CoverageAssertion Assertion(Chart chart) =>
        Engine.Advise(chart, Orders.Procedure("22513")).Assertions.Single();

    public static TailoredQuestionnaire Tailor(Chart chart) => Builder.Build(Assertion(chart), chart.Record());

    public static IReadOnlyList<string> LinkIds(Questionnaire questionnaire) =>
        questionnaire.Item.SelectMany(g => g.Item).Select(i => i.LinkId!).ToList();

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, Json);

    public static T RoundTrip<T>(T resource)
        where T : Resource => JsonSerializer.Deserialize<T>(Serialize(resource), Json)!;
}
