using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace VaCdsHooks.Cql.Tests;

/// <summary>
/// The FHIR Library the DTR package will carry: DTR (Logic) requires every Library to hold both
/// <c>text/cql</c> and <c>application/elm+json</c> in <c>content.data</c>; here both are the files beside it.
/// </summary>
public sealed partial class LibraryResourceTests
{
    private const string Url = "http://vacdshooks.example.org/fhir/Library/VertebralAugmentationPrepopulation";

    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir();

    private static Library Library() => JsonSerializer.Deserialize<Library>(File.ReadAllText(Repository.LibraryFile), Fhir)!;

    [Fact]
    public void Library_is_a_logic_library_at_our_canonical_with_the_questionnaires_version()
    {
        var library = Library();
        var questionnaire = JsonSerializer.Deserialize<Questionnaire>(File.ReadAllText(Repository.QuestionnaireFile), Fhir)!;

        Assert.Equal(Url, library.Url);
        Assert.Equal("VertebralAugmentationPrepopulation", library.Name);
        Assert.Equal(questionnaire.Version, library.Version);
        Assert.Equal(PublicationStatus.Active, library.Status);
        var type = Assert.Single(library.Type.Coding);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/library-type", "logic-library"), (type.System, type.Code));
    }

    [Fact]
    public void Library_carries_cql_and_elm_once_each_as_data()
    {
        var content = Library().Content;

        Assert.Equal(["text/cql", "application/elm+json"], content.Select(c => c.ContentType));
        Assert.All(content, c => Assert.True(c.Data is { Length: > 0 } && c.Url is null, c.ContentType + " must be inline base64 data"));
    }

    [Fact]
    public void Library_content_is_the_cql_and_elm_files_byte_for_byte()
    {
        var content = Library().Content.ToDictionary(c => c.ContentType!);

        Assert.Equal(File.ReadAllBytes(Repository.CqlFile), content["text/cql"].Data);
        Assert.Equal(File.ReadAllBytes(Repository.ElmFile), content["application/elm+json"].Data);
    }

    [Fact]
    public void Cql_and_elm_name_the_same_library_version_model_valuesets_and_definitions()
    {
        var cql = File.ReadAllText(Repository.CqlFile, Encoding.UTF8);
        using var elm = JsonDocument.Parse(File.ReadAllBytes(Repository.ElmFile));
        var library = elm.RootElement.GetProperty("library");
        var identifier = library.GetProperty("identifier");

        Assert.Matches($"(?m)^library {identifier.GetProperty("id").GetString()} version '{Regex.Escape(identifier.GetProperty("version").GetString()!)}'$", cql);
        Assert.Equal(Library().Version, identifier.GetProperty("version").GetString());
        Assert.Matches("(?m)^using FHIR version '4.0.1'$", cql);
        var fhir = library.GetProperty("usings").GetProperty("def").EnumerateArray().Single(u => u.GetProperty("localIdentifier").GetString() == "FHIR");
        Assert.Equal("4.0.1", fhir.GetProperty("version").GetString());

        var cqlValueSets = ValueSetDeclaration().Matches(cql).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        var elmValueSets = library.GetProperty("valueSets").GetProperty("def").EnumerateArray()
            .Select(v => (v.GetProperty("name").GetString()!, v.GetProperty("id").GetString()!)).ToList();
        Assert.Equal(cqlValueSets, elmValueSets);

        var cqlDefinitions = Definition().Matches(cql).Select(m => m.Groups[1].Value).ToList();
        var elmDefinitions = library.GetProperty("statements").GetProperty("def").EnumerateArray()
            .Select(d => d.GetProperty("name").GetString()!).Where(n => n != "Patient").ToList();
        Assert.Equal(cqlDefinitions, elmDefinitions);
        Assert.Matches("(?m)^context Patient$", cql);
    }

    [Fact]
    public void Every_valueset_the_library_uses_is_one_of_ours_and_enumerable()
    {
        using var elm = JsonDocument.Parse(File.ReadAllBytes(Repository.ElmFile));
        var ids = elm.RootElement.GetProperty("library").GetProperty("valueSets").GetProperty("def").EnumerateArray()
            .Select(v => v.GetProperty("id").GetString()!).ToList();
        var ours = Directory.GetFiles(Repository.ValueSetDirectory, "*.json")
            .Select(f => JsonSerializer.Deserialize<ValueSet>(File.ReadAllText(f), Fhir)!)
            .ToDictionary(v => v.Url!);

        Assert.NotEmpty(ids);
        foreach (var id in ids)
        {
            Assert.StartsWith("http://vacdshooks.example.org/fhir/ValueSet/", id, StringComparison.Ordinal);
            Assert.True(ours.TryGetValue(id, out var valueSet), id + " is not in fhir-resources/ValueSet");

            // Only listed concepts, code regex filters (finite, enumerated by the runner) and other ValueSets: a
            // DTR client without a terminology server can expand them.
            Assert.All(valueSet!.Compose!.Include, include => Assert.True(
                include.Concept.Count > 0 || include.Filter.Count > 0 || include.ValueSet.Any(),
                id + " includes a whole code system"));
        }
    }

    [GeneratedRegex("(?m)^valueset \"([^\"]+)\": '([^']+)'$")]
    private static partial Regex ValueSetDeclaration();

    [GeneratedRegex("(?m)^define \"([^\"]+)\":")]
    private static partial Regex Definition();
}
