using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;

namespace VaCdsHooks.Cql.Tests;

/// <summary>
/// The proof of the hand-written ELM: executed with cql-execution + cql-exec-fhir (the DTR reference app's
/// engine) against each chart, every definition that pre-fills an item yields what the service itself puts
/// into its draft QuestionnaireResponse for that chart (<see cref="EvidencePrefill"/>, no order: the latest
/// values in the chart and the onset of its only lesion), and nothing where the service has nothing.
/// </summary>
public sealed class PrepopulationTests
{
    /// <summary>Questionnaire item -> the CQL definition that pre-populates it.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefinitionByLinkId = new Dictionary<string, string>
    {
        ["onset.pain-onset"] = "Pain Onset",
        ["pain.severity"] = "Latest Pain Severity",
        ["pain.odi"] = "Latest Oswestry Disability Index",
        ["imaging.modality"] = "Latest Spine Imaging Modality",
        ["imaging.date"] = "Latest Spine Imaging Date",
    };

    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir();

    private static readonly Lazy<CoveragePolicy> Policy = new(() => CoveragePolicy.Load(Repository.FhirResources, PolicySettings.Default));

    private static readonly Lazy<DocumentationQuestionnaire> Master = new(() => DocumentationQuestionnaire.Load(Repository.FhirResources, Policy.Value));

    private static readonly Lazy<IReadOnlyDictionary<string, JsonElement>> Results = new(() =>
        CqlRunner.Run(Repository.ElmFile, Repository.ValueSetDirectory, Charts.All.Values));

    public static TheoryData<string> ChartNames => new(Charts.All.Keys);

    [Fact]
    public void Every_item_the_questionnaire_prepopulates_has_a_definition()
    {
        var questionnaire = JsonSerializer.Deserialize<Questionnaire>(File.ReadAllText(Repository.QuestionnaireFile), Fhir)!;
        var withInitialExpression = Flatten(questionnaire.Item)
            .Where(i => i.Extension.Any(e => e.Url == "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression"))
            .Select(i => i.LinkId).Order(StringComparer.Ordinal);

        Assert.Equal(DefinitionByLinkId.Keys.Order(StringComparer.Ordinal), withInitialExpression);
    }

    [SkippableTheory]
    [MemberData(nameof(ChartNames))]
    public void Elm_prepopulates_what_the_service_prefills(string chart)
    {
        Skip.If(CqlRunner.MissingReason is not null, CqlRunner.MissingReason);
        var path = Charts.All[chart];
        var cql = Results.Value[path];
        var service = ServicePrefill(path);

        foreach (var (linkId, definition) in DefinitionByLinkId)
        {
            Assert.True(cql.TryGetProperty(definition, out var value), $"{chart}: the ELM has no \"{definition}\"");
            var expected = service.GetValueOrDefault(linkId);
            Assert.True(
                CqlValues.Same(expected, value),
                $"{chart}, {linkId}: the service pre-fills {CqlValues.Describe(expected)}, \"{definition}\" gives {value.GetRawText()}");
        }
    }

    [SkippableFact]
    public void The_charts_exercise_every_definition_with_a_value_and_without_one()
    {
        Skip.If(CqlRunner.MissingReason is not null, CqlRunner.MissingReason);
        foreach (var definition in DefinitionByLinkId.Values)
        {
            var values = Results.Value.Values.Select(r => r.GetProperty(definition)).ToList();
            Assert.Contains(values, v => v.ValueKind != JsonValueKind.Null);
            Assert.Contains(values, v => v.ValueKind == JsonValueKind.Null);
        }
    }

    private static IReadOnlyDictionary<string, DataType> ServicePrefill(string bundlePath)
    {
        var bundle = JsonSerializer.Deserialize<Bundle>(File.ReadAllText(bundlePath), Fhir)!;
        var patient = bundle.Entry.Select(e => e.Resource).OfType<Patient>().Single();
        var today = bundle.Entry.Select(e => e.Resource).OfType<ServiceRequest>().Select(s => s.AuthoredOn).FirstOrDefault() is { Length: >= 10 } authored
            ? DateOnly.ParseExact(authored[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : DateOnly.FromDateTime(DateTime.UtcNow);
        var facts = ClinicalFacts.From(Policy.Value, PatientRecord.Assemble(patient.Id!, [bundle]), today);
        return EvidencePrefill.For(Master.Value, facts);
    }

    private static IEnumerable<Questionnaire.ItemComponent> Flatten(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => new[] { i }.Concat(Flatten(i.Item)));
}

/// <summary>
/// The example charts, and variants of the covered chart written to a temporary directory, each changing one
/// thing the definitions must get right (as the service does).
/// </summary>
internal static class Charts
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Paths = new(Build);

    /// <summary>Chart name -> Bundle path.</summary>
    public static IReadOnlyDictionary<string, string> All => Paths.Value;

    private static IReadOnlyDictionary<string, string> Build()
    {
        var charts = Repository.ExampleCharts.ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => p, StringComparer.Ordinal);
        var covered = charts["patient-covered"];
        var directory = Path.Combine(AppContext.BaseDirectory, "variant-charts");
        Directory.CreateDirectory(directory);

        void Variant(string name, Action<JsonArray> change)
        {
            var bundle = JsonNode.Parse(File.ReadAllText(covered))!.AsObject();
            change(bundle["entry"]!.AsArray());
            var path = Path.Combine(directory, name + ".json");
            File.WriteAllText(path, bundle.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            charts[name] = path;
        }

        // Two vertebral lesions: the onset of "the" lesion is not known without the treated level.
        Variant("variant-two-lesions", entries => entries.Add(Entry(
            """
            {"resourceType":"Condition","id":"variant-l1-fracture",
             "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
             "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},
             "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"M80.08XA"}]},
             "bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"122496007","display":"Lumbar spine structure"}]}],
             "onsetDateTime":"2026-09-01","subject":{"reference":"Patient/demo-covered"}}
            """)));

        // A resolved lesion does not date the pain; an ODI recorded as a fraction is read as percent; a later
        // preliminary pain score does not count; a later X-ray of the spine is the latest spine imaging.
        Variant("variant-resolved-fraction-preliminary-xray", entries =>
        {
            var condition = entries.Select(e => e!["resource"]!).Single(r => (string?)r["resourceType"] == "Condition");
            condition["clinicalStatus"]!["coding"]![0]!["code"] = "resolved";
            var odi = entries.Select(e => e!["resource"]!).Single(r => (string?)r["id"] == "demo-covered-oswestry");
            odi["valueQuantity"] = JsonNode.Parse("""{"value":0.38,"unit":"1","system":"http://unitsofmeasure.org","code":"1"}""");
            entries.Add(Entry(
                """
                {"resourceType":"Observation","id":"variant-pain-preliminary","status":"preliminary",
                 "code":{"coding":[{"system":"http://loinc.org","code":"72514-3"}]},
                 "effectiveDateTime":"2026-11-20","valueQuantity":{"value":2,"unit":"{score}","system":"http://unitsofmeasure.org","code":"{score}"},
                 "subject":{"reference":"Patient/demo-covered"}}
                """));
            entries.Add(Entry(
                """
                {"resourceType":"ImagingStudy","id":"variant-xray-later","status":"available","started":"2026-11-02T10:00:00Z",
                 "modality":[{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CR"}],
                 "series":[{"uid":"2.25.77","modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CR"},
                   "bodySite":{"system":"http://snomed.info/sct","code":"122495006"}}],
                 "subject":{"reference":"Patient/demo-covered"}}
                """));
        });

        // Nothing to pre-fill from: the scores are not final, the only spine study was cancelled.
        Variant("variant-nothing-final", entries =>
        {
            foreach (var resource in entries.Select(e => e!["resource"]!))
            {
                switch ((string?)resource["resourceType"])
                {
                    case "Observation":
                        resource["status"] = "registered";
                        break;
                    case "ImagingStudy":
                        resource["status"] = "cancelled";
                        break;
                }
            }
        });

        return charts;
    }

    private static JsonObject Entry(string resource) => new() { ["resource"] = JsonNode.Parse(resource) };
}
