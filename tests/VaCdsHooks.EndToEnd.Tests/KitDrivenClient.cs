using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.DemoEhr;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.EndToEnd.Tests;

/// <summary>
/// An independent client over real HTTP, driven as the Da Vinci CRD and DTR conformance kits drive a payer:
/// discovery, the CRD kit's example hook requests as they are (shared/fixtures), then the kit's order-sign envelope
/// carrying a spine order and its chart, the coverage-information taken from <c>systemActions</c>, a SMART Backend
/// Services token, and <c>$questionnaire-package</c> for what the coverage-information names.
/// </summary>
public sealed class KitDrivenClient(LiveService service) : IDisposable
{
    public const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";
    private const string CrdKit = "crd-conformance-examples";

    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir();

    private IReadOnlyList<Resource>? _chart;

    private readonly HttpClient _http = new() { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>This client's own order id, so a decision on one test's order never answers another's.</summary>
    public string OrderId { get; } = "kit-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The conditional example chart (Patient, Coverage, clinical resources, the draft spine order).</summary>
    public IReadOnlyList<Resource> Chart => _chart ??= ReadChart();

    public ServiceRequest Order => Chart.OfType<ServiceRequest>().Single();

    /// <summary>GET /cds-services: the id of the order-sign service, checked for what the CRD kit reads from discovery.</summary>
    public async Task<string> DiscoverOrderSignServiceAsync()
    {
        using var response = await _http.GetAsync("/cds-services");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var orderSign = document.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("hook").GetString() == "order-sign");
        Assert.False(string.IsNullOrWhiteSpace(orderSign.GetProperty("description").GetString()));
        Assert.NotEmpty(orderSign.GetProperty("prefetch").EnumerateObject());
        return orderSign.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// One of the CRD kit's example requests as the kit sends it, signed by the EHR. None of its orders is a spine
    /// procedure: 200 and, on a primary hook, an empty systemActions array (kit rule crd_coverage_info_system_action_received).
    /// </summary>
    public async Task SendKitExampleAsync(string fixture, string serviceId)
    {
        var text = await PostHookAsync(serviceId, File.ReadAllText(SharedFixture(CrdKit, fixture)));
        using var document = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("cards").ValueKind);
        Assert.Empty(document.RootElement.GetProperty("systemActions").EnumerateArray());
    }

    /// <summary>
    /// The kit's order-sign example (its envelope, fhirServer, fhirAuthorization and its two non-spine orders) with
    /// the spine order added to draftOrders and the chart as prefetch. Returns the order's coverage-information parts.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> SignSpineOrderAsync(string serviceId)
    {
        var request = JsonNode.Parse(File.ReadAllText(SharedFixture(CrdKit, "order_sign_hook_request.json")))!.AsObject();
        var ours = DemoHookRequest.Build(Chart, "order-sign", prefetch: true);
        request["hookInstance"] = Guid.NewGuid().ToString();
        request["context"]!["patientId"] = ours["context"]!["patientId"]!.DeepClone();
        request["context"]!["draftOrders"]!["entry"]!.AsArray().Add(ours["context"]!["draftOrders"]!["entry"]![0]!.DeepClone());
        request["prefetch"] = ours["prefetch"]!.DeepClone();

        using var document = JsonDocument.Parse(await PostHookAsync(serviceId, request.ToJsonString()));
        var action = Assert.Single(document.RootElement.GetProperty("systemActions").EnumerateArray());
        var resource = action.GetProperty("resource");
        Assert.Equal(("ServiceRequest", OrderId), (resource.GetProperty("resourceType").GetString(), resource.GetProperty("id").GetString()));
        return resource.GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == CoverageInformationUrl)
            .GetProperty("extension").EnumerateArray()
            .GroupBy(e => e.GetProperty("url").GetString()!)
            .ToDictionary(g => g.Key, g => g.First().Clone());
    }

    /// <summary>
    /// $questionnaire-package as a DTR client calls it after CRD (the DTR kit's input shape): the Coverage, the
    /// order, the questionnaire canonical and the coverage-assertion-id as context. Returns the package Bundle.
    /// </summary>
    public async Task<Bundle> QuestionnairePackageAsync(IReadOnlyDictionary<string, JsonElement> coverageInformation)
    {
        var parameters = new Parameters();
        parameters.Add("coverage", Chart.OfType<Hl7.Fhir.Model.Coverage>().Single());
        parameters.Add("order", Order);
        parameters.Add("questionnaire", new Canonical(coverageInformation["questionnaire"].GetProperty("valueCanonical").GetString()));
        parameters.Add("context", new FhirString(coverageInformation["coverage-assertion-id"].GetProperty("valueString").GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Questionnaire/$questionnaire-package")
        {
            Content = new StringContent(JsonSerializer.Serialize(parameters, Json), Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Accept.ParseAdd("application/fhir+json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AccessTokenAsync());
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        var output = Assert.IsType<Parameters>(JsonSerializer.Deserialize<Resource>(text, Json));
        return Assert.IsType<Bundle>(Assert.Single(output.Parameter, p => p.Name == DtrCodes.PackageBundleParameter).Resource);
    }

    /// <summary>The whole CRD-then-DTR sequence; returns the package Bundle.</summary>
    public async Task<Bundle> RunAsync()
    {
        var serviceId = await DiscoverOrderSignServiceAsync();
        await SendKitExampleAsync("order_sign_hook_request.json", serviceId);
        var information = await SignSpineOrderAsync(serviceId);
        Assert.Equal("conditional", information["covered"].GetProperty("valueCode").GetString());
        Assert.True(information.ContainsKey("questionnaire"), "doc-needed coverage-information names no questionnaire");
        return await QuestionnairePackageAsync(information);
    }

    /// <summary>The chart as one collection Bundle, as the CQL runner loads a patient.</summary>
    public string WriteChartBundle(string directory)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Entry = Chart.Select(r => new Bundle.EntryComponent { Resource = r }).ToList() };
        var path = Path.Combine(directory, "chart.json");
        File.WriteAllText(path, JsonSerializer.Serialize(bundle, Json));
        return path;
    }

    public void Dispose() => _http.Dispose();

    public static string SharedFixture(params string[] parts) => RepositoryFiles.Path(["..", "shared", "fixtures", .. parts]);

    private async Task<string> PostHookAsync(string serviceId, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/" + serviceId)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", service.Tokens.CreateToken($"{service.BaseUrl}/cds-services/{serviceId}"));
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    private Task<string> AccessTokenAsync() =>
        service.AccessTokenAsync(_http, "system/Questionnaire.rs system/ValueSet.rs system/QuestionnaireResponse.cu");

    private IReadOnlyList<Resource> ReadChart() =>
        DemoHookRequest.ReadChart(RepositoryFiles.Path("fhir-resources", "examples", "patient-conditional.json")).Select(resource =>
        {
            var copy = (Resource)resource.DeepCopy();
            if (copy is ServiceRequest order)
            {
                order.Id = OrderId;
            }

            return copy;
        }).ToList();
}
