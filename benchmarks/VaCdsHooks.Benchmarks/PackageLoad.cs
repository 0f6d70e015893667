using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.DemoEhr;
using FhirModel = Hl7.Fhir.Model;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// DTR's <c>$questionnaire-package</c> under closed-loop load, as a DTR client calls it: a SMART Backend Services
/// access token for the demo EHR client (the registered EHR clients are the DTR clients), one order-sign call on a
/// fresh order to get a coverage assertion that asks for documentation, then the package for that assertion.
/// </summary>
public static class PackageLoad
{
    public static readonly string[] ValueOptions = ["--service", "--chart", "--alg", "--concurrency", "--seconds", "--warmup", "--pid", "--rss-log"];

    private const string Scopes = "system/Questionnaire.rs system/ValueSet.rs system/Library.rs system/QuestionnaireResponse.cu system/ClaimResponse.rs";

    public static async Task<int> RunAsync(CliOptions options)
    {
        var target = HookTarget.From(options);
        var concurrency = options.Int("--concurrency", 2, 1, 10_000);
        var seconds = options.Int("--seconds", 20, 1, 240);
        var warmup = options.Int("--warmup", 5, 0, 60);
        var rssLog = options.Optional("--rss-log") is { } log ? Path.GetFullPath(log) : null;
        await using var memory = ServiceMemory.From(options.Optional("--pid"), target.Service);
        var service = target.Service.ToString().TrimEnd('/');
        using var http = HookTarget.Client(concurrency);

        var accessToken = await AccessTokenAsync(http, service, target.Signer);

        // A fresh order id, so the assertion is new rather than an answer the payer already gave on the example.
        var chart = DemoHookRequest.ReadChart(target.Chart);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        foreach (var order in chart.OfType<FhirModel.ServiceRequest>().Where(s => s.Status == FhirModel.RequestStatus.Draft))
        {
            order.Id += "-" + suffix;
        }

        var assertionId = await AssertionNeedingDocumentationAsync(http, target, chart);
        var coverage = chart.OfType<FhirModel.Coverage>().FirstOrDefault() ?? throw new RunException($"{target.Chart} has no Coverage.");
        var parameters = new FhirModel.Parameters();
        parameters.Add("coverage", coverage);
        parameters.Add("context", new FhirModel.FhirString(assertionId));
        var body = JsonSerializer.SerializeToUtf8Bytes(parameters, DemoHookRequest.FhirJson);
        var url = service + "/fhir/Questionnaire/$questionnaire-package";
        HttpRequestMessage Next() => HookTarget.Post(url, body, "application/fhir+json", accessToken);

        var (_, error) = await ClosedLoop.SendAsync(http, Next());
        if (error is not null)
        {
            throw new RunException($"$questionnaire-package for {assertionId} failed: {error}");
        }

        Console.WriteLine($"{url}: assertion {assertionId}, {body.Length} byte body, {concurrency} connections, {warmup} s warm-up, {seconds} s measured");
        memory?.Start();
        if (warmup > 0)
        {
            await ClosedLoop.RunAsync(http, concurrency, TimeSpan.FromSeconds(warmup), Next);
        }

        var measured = await ClosedLoop.RunAsync(http, concurrency, TimeSpan.FromSeconds(seconds), Next);
        Console.WriteLine();
        measured.Print("$questionnaire-package");
        if (memory is not null)
        {
            await memory.StopAndReportAsync(rssLog);
        }

        return measured.Errors == 0 && measured.Requests > 0 ? 0 : 1;
    }

    /// <summary>SMART Backend Services: discovery, a signed client assertion, client_credentials.</summary>
    private static async Task<string> AccessTokenAsync(HttpClient http, string service, DemoSigner signer)
    {
        using var discovery = await http.GetAsync(service + "/.well-known/smart-configuration");
        if (!discovery.IsSuccessStatusCode)
        {
            throw new RunException($"{service}/.well-known/smart-configuration: HTTP {(int)discovery.StatusCode}");
        }

        var tokenEndpoint = JsonNode.Parse(await discovery.Content.ReadAsStringAsync())?["token_endpoint"]?.GetValue<string>()
            ?? throw new RunException("the SMART configuration names no token_endpoint.");
        using var key = signer.CreateKey();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = Scopes,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = signer.ClientAssertion(key, tokenEndpoint),
        });
        // The token endpoint may be published under the service's public base URL; call it on the service we load.
        using var issued = await http.PostAsync(service + new Uri(tokenEndpoint).AbsolutePath, form);
        var text = await issued.Content.ReadAsStringAsync();
        if (!issued.IsSuccessStatusCode)
        {
            throw new RunException($"token endpoint: HTTP {(int)issued.StatusCode} {text}\n" +
                $"The DTR client is the registered EHR client {signer.Issuer} (CdsHooks:Clients in appsettings.Development.json).");
        }

        Console.WriteLine($"SMART Backend Services: access token for {signer.Issuer}");
        return JsonNode.Parse(text)?["access_token"]?.GetValue<string>() ?? throw new RunException("the token response has no access_token.");
    }

    /// <summary>One order-sign call; the coverage-assertion-id of an order the payer wants documentation for.</summary>
    private static async Task<string> AssertionNeedingDocumentationAsync(HttpClient http, HookTarget target, IReadOnlyList<FhirModel.Resource> chart)
    {
        var endpoint = $"{target.Service.ToString().TrimEnd('/')}/cds-services/vertebral-augmentation-order-sign";
        var body = Encoding.UTF8.GetBytes(DemoHookRequest.Build(chart, "order-sign", prefetch: true).ToJsonString());
        using var key = target.Signer.CreateKey();
        using var response = await http.SendAsync(HookTarget.Post(endpoint, body, "application/json", target.Signer.HookToken(key, endpoint)));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new RunException($"order-sign: HTTP {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
        }

        // systemActions[].resource.extension[] (coverage-information) holds coverage-assertion-id and doc-needed.
        foreach (var action in JsonNode.Parse(text)?["systemActions"]?.AsArray() ?? [])
        {
            foreach (var extension in action?["resource"]?["extension"]?.AsArray() ?? [])
            {
                var parts = extension?["extension"]?.AsArray();
                if (parts is null || !parts.Any(p => p?["url"]?.GetValue<string>() == "doc-needed"))
                {
                    continue;
                }

                if (parts.FirstOrDefault(p => p?["url"]?.GetValue<string>() == "coverage-assertion-id")?["valueString"]?.GetValue<string>() is { } id)
                {
                    return id;
                }
            }
        }

        throw new RunException($"the payer asked for no documentation on the order of {Path.GetFileName(target.Chart)}; use a chart that needs it (patient-conditional.json).");
    }
}
