using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;
using VaCdsHooks.Coverage.Documentation;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>
/// The DTR client side of the round trip, done the way a DTR app does it: order-sign, then the package for the
/// coverage assertion, the draft response completed with a clinician's answers, and the submission.
/// </summary>
public sealed class DtrFlow(ApiFactory factory)
{
    /// <summary>
    /// This flow's own order id: tests share one service, and a decision on one order must not answer another
    /// test's order-sign.
    /// </summary>
    public string OrderId { get; } = "va-" + Guid.NewGuid().ToString("N")[..12];

    public const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir();

    /// <summary>Answers that document the conditional example chart completely and consistently.</summary>
    public static Dictionary<string, DataType> CleanAnswers() => VaCdsHooks.Testing.SurgeonAnswers.Consistent();

    private string? _token;

    /// <summary>A DTR client: FHIR JSON, with this flow's access token (or <paramref name="token"/>; "" for none).</summary>
    public async Task<HttpClient> ClientAsync(string? token = null)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        var bearer = token ?? (_token ??= await factory.DtrAccessTokenAsync());
        if (bearer.Length > 0)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Signs an order for a chart; returns the coverage-information of the (single) order.</summary>
    public async Task<Dictionary<string, JsonElement>> OrderSignAsync(string chart)
    {
        using var response = await factory.PostHookAsync("vertebral-augmentation-order-sign", VaCdsHooks.DemoEhr.DemoHookRequest.Build(Chart(chart), "order-sign", prefetch: true).ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var action = Assert.Single(document.RootElement.GetProperty("systemActions").EnumerateArray());
        return action.GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == CoverageInformationUrl)
            .GetProperty("extension").EnumerateArray()
            .GroupBy(e => e.GetProperty("url").GetString()!)
            .ToDictionary(g => g.Key, g => g.First().Clone());
    }

    /// <summary>The example chart with this flow's order id.</summary>
    public IReadOnlyList<Resource> Chart(string chart = Charts.Conditional) =>
        Charts.Read(chart).Select(resource =>
        {
            var copy = (Resource)resource.DeepCopy();
            if (copy is ServiceRequest order)
            {
                order.Id = OrderId;
            }

            return copy;
        }).ToList();

    public async Task<string> ConditionalAssertionAsync(string chart = Charts.Conditional)
    {
        var information = await OrderSignAsync(chart);
        Assert.Equal("conditional", information["covered"].GetProperty("valueCode").GetString());
        return information["coverage-assertion-id"].GetProperty("valueString").GetString()!;
    }

    public static Parameters PackageRequest(string? assertionId, string chart = Charts.Conditional)
    {
        var parameters = new Parameters();
        parameters.Add("coverage", Charts.Read(chart).OfType<Hl7.Fhir.Model.Coverage>().Single());
        if (assertionId is not null)
        {
            parameters.Add("context", new FhirString(assertionId));
        }

        return parameters;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, Resource resource, string? token = null)
    {
        using var client = await ClientAsync(token);
        return await client.PostAsync(path, Content(resource));
    }

    public static StringContent Content(Resource resource) =>
        new(JsonSerializer.Serialize(resource, resource.GetType(), Json), Encoding.UTF8, "application/fhir+json");

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK, ApiFactory? service = null)
        where T : Resource
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}\n{service?.Errors.Text}");
        Assert.StartsWith("application/fhir+json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return Assert.IsType<T>(JsonSerializer.Deserialize<Resource>(text, Json), exactMatch: false);
    }

    /// <summary>The package bundle's Questionnaire and draft QuestionnaireResponse.</summary>
    /// <summary>
    /// A conditional order whose answers contradicted the chart (pain 0/10) went to review, and a reviewer asked
    /// the provider for more information: the case is <c>more-information-requested</c>.
    /// </summary>
    public async Task<string> PendedForMoreInformationAsync()
    {
        var assertionId = await ConditionalAssertionAsync();
        var (questionnaire, draft) = await PackageAsync(assertionId);
        var conflicting = CleanAnswers();
        conflicting["pain.severity"] = new FhirDecimal(0);
        using (var first = await PostAsync("/fhir/QuestionnaireResponse", Complete(questionnaire, draft, conflicting)))
        {
            Xunit.Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        var pending = await DecidedStatusAsync(assertionId);
        Xunit.Assert.Equal("pending-review", CaseStatus(pending));
        var current = (await factory.Service<VaCdsHooks.Storage.IPriorAuthCaseStore>().FindAsync(pending.Id!))!;
        await factory.Service<VaCdsHooks.Storage.IReviewDecisionStore>().AddAsync(new VaCdsHooks.Storage.ReviewDecisionRecord
        {
            CaseId = current.CaseId,
            DecidedAt = DateTimeOffset.UtcNow,
            DecidedBy = "nurse-1",
            Role = "reviewer",
            Decision = VaCdsHooks.Storage.ReviewDecisionKind.Pend,
            Rationale = "Please confirm the current pain score.",
        }, current.Version);
        return assertionId;
    }

    public async Task<(Questionnaire Questionnaire, QuestionnaireResponse Draft)> PackageAsync(string assertionId)
    {
        using var response = await PostAsync("/fhir/Questionnaire/$questionnaire-package", PackageRequest(assertionId));
        var output = await ReadAsync<Parameters>(response);
        var bundle = Assert.IsType<Bundle>(Assert.Single(output.Parameter, p => p.Name == DtrCodes.PackageBundleParameter).Resource);
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        return (questionnaire, draft);
    }

    public static QuestionnaireResponse Complete(Questionnaire questionnaire, QuestionnaireResponse draft, IReadOnlyDictionary<string, DataType> values) =>
        VaCdsHooks.Testing.SurgeonAnswers.Complete(questionnaire, draft, values);

    /// <summary>The case status the EHR reads, waited for until the background job has decided (or the time is up).</summary>
    public async Task<ClaimResponse> DecidedStatusAsync(string assertionId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await StatusAsync(assertionId);
            var code = status?.GetExtensionValue<Code>(VaCdsHooks.Api.Dtr.CaseStatusResource.CaseStatusExtension)?.Value;
            if (status is not null && code is not ("processing" or "awaiting-documentation"))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The case for {assertionId} was not decided in time (status {code ?? "none"}).\n{factory.Errors.Text}");
            }

            await System.Threading.Tasks.Task.Delay(50);
        }
    }

    public async Task<ClaimResponse?> StatusAsync(string assertionId)
    {
        using var client = await ClientAsync();
        using var response = await client.GetAsync("/fhir/ClaimResponse?identifier=" + Uri.EscapeDataString(assertionId));
        var bundle = await ReadAsync<Bundle>(response);
        return bundle.Entry.Select(e => e.Resource).OfType<ClaimResponse>().SingleOrDefault();
    }

    public static string CaseStatus(ClaimResponse status) =>
        status.GetExtensionValue<Code>(VaCdsHooks.Api.Dtr.CaseStatusResource.CaseStatusExtension)!.Value!;
}
