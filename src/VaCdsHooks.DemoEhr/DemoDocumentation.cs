using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.DemoEhr;

/// <summary>
/// What an EHR's DTR app does after a conditional answer, against the payer's DTR endpoint: authenticate with SMART
/// Backend Services, fetch the questionnaire package for the coverage assertion, complete the draft response (the
/// payer's pre-filled answers kept, the open questions answered as a surgeon would), submit it, and wait for the
/// prior-authorization status.
/// </summary>
/// <param name="conflicting">Answer that the pain is 0/10, against the score in the chart: a case for a reviewer.</param>
public sealed class DemoDocumentation(HttpClient http, string service, JsonWebKey key, string clientId, bool conflicting = false)
{
    private const string Finding = "http://vacdshooks.example.org/fhir/CodeSystem/vertebral-augmentation-finding";
    private const string InformationOrigin = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin";

    /// <summary>The demo surgeon's answers to the questions the payer may ask, by linkId: consistent with the demo charts.</summary>
    public static IReadOnlyDictionary<string, DataType> SurgeonAnswers { get; } = new Dictionary<string, DataType>
    {
        ["pain.functional-impairment"] = new FhirBoolean(true),
        ["pain.activities-limited"] = new Coding(Finding, "adl-walking"),
        ["pain.asymptomatic"] = new FhirBoolean(false),
        ["therapy.tried"] = new FhirString("Opioid analgesics and calcitonin for six weeks, thoracolumbar brace"),
        ["therapy.failed"] = new FhirBoolean(true),
        ["therapy.responding"] = new FhirBoolean(false),
        ["imaging.modality"] = new Coding("http://dicom.nema.org/resources/ontology/DCM", "MR"),
        ["imaging.date"] = new Date(DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
        ["imaging.other-causes-excluded"] = new FhirBoolean(true),
        ["imaging.cord-compression"] = new FhirBoolean(false),
        ["imaging.severe-collapse"] = new FhirBoolean(false),
        ["imaging.healed"] = new FhirBoolean(false),
    };

    /// <summary>The same answers, except a pain score of 0/10 that contradicts the chart's measured score.</summary>
    public static IReadOnlyDictionary<string, DataType> ConflictingAnswers { get; } =
        new Dictionary<string, DataType>(SurgeonAnswers) { ["pain.severity"] = new FhirDecimal(0) };

    public async Task<int> RunAsync(string assertionId, Hl7.Fhir.Model.Coverage coverage)
    {
        var token = await AccessTokenAsync();
        if (token is null)
        {
            return 1;
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var request = new Parameters();
        request.Add("coverage", coverage);
        request.Add("context", new FhirString(assertionId));
        var (package, packageStatus) = await PostAsync<Parameters>("/fhir/Questionnaire/$questionnaire-package", request);
        var bundle = package?.Parameter.FirstOrDefault(p => p.Name == "PackageBundle")?.Resource as Bundle;
        if (bundle?.Entry.FirstOrDefault()?.Resource is not Questionnaire questionnaire
            || bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().FirstOrDefault() is not { } draft)
        {
            Console.WriteLine($"$questionnaire-package: HTTP {packageStatus}, no questionnaire to answer.");
            return packageStatus == 200 ? 0 : 1;
        }

        Console.WriteLine();
        Console.WriteLine($"DTR: {questionnaire.Title}");
        var response = (QuestionnaireResponse)draft.DeepCopy();
        foreach (var group in questionnaire.Item)
        {
            var section = response.Item.FirstOrDefault(i => i.LinkId == group.LinkId);
            foreach (var item in group.Item)
            {
                var prefilled = section?.Item.FirstOrDefault(i => i.LinkId == item.LinkId);
                var answers = conflicting ? ConflictingAnswers : SurgeonAnswers;
                var known = answers.TryGetValue(item.LinkId!, out var value);
                if (prefilled is not null && (!known || prefilled.Answer.FirstOrDefault()?.Value?.IsExactly(value) == true))
                {
                    Console.WriteLine($"  pre-filled  {item.Text}: {Show(prefilled.Answer.FirstOrDefault()?.Value)}");
                    continue;
                }

                if (!known)
                {
                    Console.WriteLine($"  left open   {item.Text}");
                    continue;
                }

                if (prefilled is not null)
                {
                    // The surgeon knows better than the chart the payer saw (e.g. an MRI done elsewhere): an override.
                    var overridden = new QuestionnaireResponse.AnswerComponent { Value = value };
                    var overrideOrigin = new Extension { Url = InformationOrigin };
                    overrideOrigin.Extension.Add(new Extension("source", new Code("override")));
                    overrideOrigin.Extension.Add(new Extension("author", new ResourceReference("Practitioner/demo-surgeon")));
                    overridden.Extension.Add(overrideOrigin);
                    Console.WriteLine($"  changed     {item.Text}: {Show(prefilled.Answer.FirstOrDefault()?.Value)} -> {Show(value)}");
                    prefilled.Answer = [overridden];
                    continue;
                }

                if (section is null)
                {
                    section = new QuestionnaireResponse.ItemComponent { LinkId = group.LinkId, Text = group.Text };
                    response.Item.Add(section);
                }

                var answer = new QuestionnaireResponse.AnswerComponent { Value = value };
                var origin = new Extension { Url = InformationOrigin };
                origin.Extension.Add(new Extension("source", new Code("manual")));
                origin.Extension.Add(new Extension("author", new ResourceReference("Practitioner/demo-surgeon")));
                answer.Extension.Add(origin);
                section.Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = item.LinkId, Text = item.Text, Answer = [answer] });
                Console.WriteLine($"  answered    {item.Text}: {Show(value)}");
            }
        }

        response.Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed;
        response.Author = new ResourceReference("Practitioner/demo-surgeon");
        response.Authored = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);

        var (_, submitStatus) = await PostAsync<QuestionnaireResponse>("/fhir/QuestionnaireResponse", response);
        Console.WriteLine($"POST QuestionnaireResponse: HTTP {submitStatus}");
        if (submitStatus is not (200 or 201))
        {
            return 1;
        }

        for (var attempt = 0; attempt < 100; attempt++)
        {
            var status = await StatusAsync(assertionId);
            var code = status?.GetExtensionValue<Code>("http://vacdshooks.example.org/fhir/StructureDefinition/prior-auth-case-status")?.Value;
            if (status is not null && code is not ("processing" or "awaiting-documentation"))
            {
                Console.WriteLine($"Prior authorization: {code}{(status.PreAuthRef is { } number ? $" {number} until {status.PreAuthPeriod?.End}" : "")}. {status.Disposition}");
                return 0;
            }

            await System.Threading.Tasks.Task.Delay(200);
        }

        Console.WriteLine("The payer has not decided yet; read GET /fhir/ClaimResponse?identifier=" + assertionId + " later.");
        return 0;
    }

    private async Task<string?> AccessTokenAsync()
    {
        using var discovery = await http.GetAsync(service + "/.well-known/smart-configuration");
        if (!discovery.IsSuccessStatusCode)
        {
            Console.WriteLine($"/.well-known/smart-configuration: HTTP {(int)discovery.StatusCode}");
            return null;
        }

        using var configuration = JsonDocument.Parse(await discovery.Content.ReadAsStringAsync());
        var tokenEndpoint = configuration.RootElement.GetProperty("token_endpoint").GetString()!;
        var now = DateTime.UtcNow;
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenEndpoint,
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", clientId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(4),
            Claims = new Dictionary<string, object> { ["jti"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha384),
            TokenType = "JWT",
        });

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "system/Questionnaire.rs system/ValueSet.rs system/Library.rs system/QuestionnaireResponse.cu system/ClaimResponse.rs",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });
        // The token endpoint may be published under the service's public base URL; call it on the service we talk to.
        var local = service + new Uri(tokenEndpoint).AbsolutePath;
        using var issued = await http.PostAsync(local, form);
        var text = await issued.Content.ReadAsStringAsync();
        if (!issued.IsSuccessStatusCode)
        {
            Console.WriteLine($"Token endpoint: HTTP {(int)issued.StatusCode} {text}");
            return null;
        }

        using var tokenResponse = JsonDocument.Parse(text);
        Console.WriteLine($"SMART Backend Services: access token for {clientId} ({tokenResponse.RootElement.GetProperty("scope").GetString()})");
        return tokenResponse.RootElement.GetProperty("access_token").GetString();
    }

    private async Task<(T? Resource, int Status)> PostAsync<T>(string path, Resource resource)
        where T : Resource
    {
        using var content = new StringContent(JsonSerializer.Serialize(resource, resource.GetType(), DemoHookRequest.FhirJson), Encoding.UTF8, "application/fhir+json");
        using var response = await http.PostAsync(service + path, content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine(text);
            return (null, (int)response.StatusCode);
        }

        return (JsonSerializer.Deserialize<Resource>(text, DemoHookRequest.FhirJson) as T, (int)response.StatusCode);
    }

    private async Task<ClaimResponse?> StatusAsync(string assertionId)
    {
        using var response = await http.GetAsync(service + "/fhir/ClaimResponse?identifier=" + Uri.EscapeDataString(assertionId));
        return response.IsSuccessStatusCode
            ? (JsonSerializer.Deserialize<Resource>(await response.Content.ReadAsStringAsync(), DemoHookRequest.FhirJson) as Bundle)?.Entry.Select(e => e.Resource).OfType<ClaimResponse>().FirstOrDefault()
            : null;
    }

    private static string Show(DataType? value) => value switch
    {
        Coding coding => coding.Display ?? coding.Code ?? "",
        FhirBoolean flag => flag.Value == true ? "yes" : "no",
        null => "",
        _ => value.ToString() ?? "",
    };
}
