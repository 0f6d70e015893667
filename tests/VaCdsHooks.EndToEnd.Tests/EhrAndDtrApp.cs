using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.DemoEhr;

namespace VaCdsHooks.EndToEnd.Tests;

/// <summary>
/// The provider side over real HTTP: the EHR signs an order (CDS Hooks order-sign), the DTR app fetches the
/// questionnaire package for the coverage assertion, completes the pre-filled draft and submits it, and the EHR
/// later asks for the prior-authorization status (ClaimResponse).
/// </summary>
public sealed class EhrAndDtrApp(LiveService service) : IDisposable
{
    private const string Service = "vertebral-augmentation-order-sign";
    private const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir();

    private readonly HttpClient _http = new() { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    private string? _accessToken;

    public string OrderId { get; } = "e2e-" + Guid.NewGuid().ToString("N")[..12];

    private IReadOnlyList<Resource> Chart() =>
        DemoHookRequest.ReadChart(RepositoryFiles.Path("fhir-resources", "examples", "patient-conditional.json")).Select(resource =>
        {
            var copy = (Resource)resource.DeepCopy();
            if (copy is ServiceRequest order)
            {
                order.Id = OrderId;
            }

            return copy;
        }).ToList();

    /// <summary>order-sign for the conditional example chart; returns the coverage-assertion-id.</summary>
    public async Task<string> SignOrderAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/" + Service)
        {
            Content = new StringContent(DemoHookRequest.Build(Chart(), "order-sign", prefetch: true).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", service.Tokens.CreateToken($"{service.BaseUrl}/cds-services/{Service}"));
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var information = Assert.Single(document.RootElement.GetProperty("systemActions").EnumerateArray())
            .GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == CoverageInformationUrl)
            .GetProperty("extension").EnumerateArray().ToList();
        Assert.Equal("conditional", information.First(e => e.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString());
        return information.First(e => e.GetProperty("url").GetString() == "coverage-assertion-id").GetProperty("valueString").GetString()!;
    }

    /// <summary>
    /// Fetches the package, answers it, submits. The answers document everything but say the pain is 0/10 while the
    /// chart measured it: a conflict the machine leaves to a reviewer.
    /// </summary>
    public async System.Threading.Tasks.Task SubmitConflictingAnswersAsync(string assertionId)
    {
        var parameters = new Parameters();
        parameters.Add("coverage", Chart().OfType<Hl7.Fhir.Model.Coverage>().Single());
        parameters.Add("context", new FhirString(assertionId));
        using var packageResponse = await PostFhirAsync("/fhir/Questionnaire/$questionnaire-package", parameters);

        var output = await ReadAsync<Parameters>(packageResponse, HttpStatusCode.OK);
        var bundle = Assert.IsType<Bundle>(Assert.Single(output.Parameter, p => p.Name == DtrCodes.PackageBundleParameter).Resource);
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();

        var answers = VaCdsHooks.Testing.SurgeonAnswers.Consistent();
        answers["pain.severity"] = new FhirDecimal(0);
        using var submitted = await PostFhirAsync("/fhir/QuestionnaireResponse", VaCdsHooks.Testing.SurgeonAnswers.Complete(questionnaire, draft, answers, DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
    }

    private async Task<string> AccessTokenAsync() => _accessToken ??=
        await service.AccessTokenAsync(_http, "system/Questionnaire.rs system/ValueSet.rs system/QuestionnaireResponse.cu system/ClaimResponse.rs");

    /// <summary>The EHR's status query: the case status code and the prior-auth number, once the job has decided.</summary>
    public async Task<(string? CaseId, string Status, string? PriorAuthNumber)> StatusAsync(string assertionId, bool waitForDecision, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/ClaimResponse?identifier=" + Uri.EscapeDataString(assertionId));
            request.Headers.Accept.ParseAdd("application/fhir+json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AccessTokenAsync());
            using var response = await _http.SendAsync(request);
            var bundle = await ReadAsync<Bundle>(response, HttpStatusCode.OK);
            var status = bundle.Entry.Select(e => e.Resource).OfType<ClaimResponse>().SingleOrDefault();
            var code = status?.GetExtensionValue<Code>(Api.Dtr.CaseStatusResource.CaseStatusExtension)?.Value;
            if (status is not null && (!waitForDecision || code is not ("processing" or "awaiting-documentation")))
            {
                return (status.Id, code!, status.PreAuthRef);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No decision for {assertionId} in time (status {code ?? "none"}).");
            }

            await System.Threading.Tasks.Task.Delay(100);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> PostFhirAsync(string path, Resource resource)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(resource, resource.GetType(), Json), Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Accept.ParseAdd("application/fhir+json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AccessTokenAsync());
        return await _http.SendAsync(request);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
        where T : Resource
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return Assert.IsType<T>(JsonSerializer.Deserialize<Resource>(text, Json), exactMatch: false);
    }

}
