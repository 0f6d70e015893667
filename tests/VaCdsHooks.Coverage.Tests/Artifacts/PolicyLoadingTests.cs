using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Artifacts;

/// <summary>The loader reads the artifacts once and refuses to start with a missing or malformed one.</summary>
public sealed class PolicyLoadingTests : IDisposable
{
    private readonly string _copy = Path.Combine(Path.GetTempPath(), "vacdshooks-policy-" + Guid.NewGuid().ToString("N"));

    public PolicyLoadingTests()
    {
        foreach (var folder in new[] { "ValueSet", "CodeSystem" })
        {
            Directory.CreateDirectory(Path.Combine(_copy, folder));
            foreach (var file in Directory.GetFiles(Path.Combine(TestPolicy.FhirResources, folder), "*.json"))
            {
                File.Copy(file, Path.Combine(_copy, folder, Path.GetFileName(file)));
            }
        }
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public void The_repository_artifacts_load() =>
        Assert.True(CoveragePolicy.Load(_copy, PolicySettings.Default).ValueSets.All.Count >= 30);

    [Fact]
    public void Missing_directory_fails_clearly() =>
        Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(Path.Combine(_copy, "nowhere"), PolicySettings.Default));

    [Fact]
    public void Missing_value_set_is_named()
    {
        File.Delete(Path.Combine(_copy, "ValueSet", "spinal-cord-compression.json"));
        var error = Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(_copy, PolicySettings.Default));
        Assert.Contains("spinal-cord-compression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_set_importing_a_missing_one_is_named()
    {
        File.Delete(Path.Combine(_copy, "ValueSet", "collapsed-vertebra.json"));
        var error = Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(_copy, PolicySettings.Default));
        Assert.Contains("collapsed-vertebra", error.Message, StringComparison.Ordinal);
    }

    // FHIR: several valueSets in one include are their intersection; read as a union they would widen the set.
    [Fact]
    public void Include_naming_several_value_sets_is_rejected_not_read_as_a_union()
    {
        var path = Path.Combine(_copy, "ValueSet", "spine-imaging-modalities.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        var includes = json["compose"]!["include"]!.AsArray();
        var both = new System.Text.Json.Nodes.JsonArray(includes.Select(i => (System.Text.Json.Nodes.JsonNode?)i!["valueSet"]![0]!.GetValue<string>()).ToArray());
        json["compose"]!["include"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["valueSet"] = both });
        File.WriteAllText(path, json.ToJsonString());

        var error = Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(_copy, PolicySettings.Default));
        Assert.Contains("intersection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_file()
    {
        File.WriteAllText(Path.Combine(_copy, "ValueSet", "osteoporosis.json"), "{ \"resourceType\": \"ValueSet\", ");
        var error = Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(_copy, PolicySettings.Default));
        Assert.Contains("osteoporosis.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_filter_operator_is_rejected_not_ignored()
    {
        var path = Path.Combine(_copy, "ValueSet", "osteoporotic-vertebral-fracture.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"op\": \"regex\"", "\"op\": \"is-a\"", StringComparison.Ordinal));
        var error = Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(_copy, PolicySettings.Default));
        Assert.Contains("osteoporotic-vertebral-fracture.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_system_without_a_concept_the_engine_uses_is_rejected()
    {
        var path = Path.Combine(_copy, "CodeSystem", "vertebral-augmentation-finding.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"code\": \"pain-onset\"", "\"code\": \"pain-start\"", StringComparison.Ordinal));
        var error = Assert.Throws<PolicyArtifactException>(() => CoveragePolicy.Load(_copy, PolicySettings.Default));
        Assert.Contains("pain-onset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_list_change_in_the_artifact_changes_the_decision_without_touching_code()
    {
        var path = Path.Combine(_copy, "ValueSet", "multiple-myeloma.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"C90.02\"", "\"C90.03\"", StringComparison.Ordinal));
        var policy = CoveragePolicy.Load(_copy, PolicySettings.Default);
        Assert.False(policy.ValueSets["multiple-myeloma"].Contains(Terminology.CodeSystems.Icd10Cm, "C90.02"));
        Assert.True(policy.ValueSets["multiple-myeloma"].Contains(Terminology.CodeSystems.Icd10Cm, "C90.03"));
    }
}
