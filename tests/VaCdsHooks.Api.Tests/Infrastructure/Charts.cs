using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using VaCdsHooks.DemoEhr;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>The published example charts, turned into hook requests the way an EHR would send them.</summary>
public static class Charts
{
    public const string Covered = "patient-covered.json";
    public const string Conditional = "patient-conditional.json";
    public const string NotCovered = "patient-not-covered.json";

    public static IReadOnlyList<Resource> Read(string example) =>
        DemoHookRequest.ReadChart(RepositoryFiles.Path("fhir-resources", "examples", example));

    public static JsonObject Request(string example, string hook = "order-sign", bool prefetch = true) =>
        DemoHookRequest.Build(Read(example), hook, prefetch);
}
