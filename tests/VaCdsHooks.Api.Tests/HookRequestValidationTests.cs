using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Bad input gets a ProblemDetails naming the offending field (https://cds-hooks.hl7.org/2.0/#http-request-1):
/// 422 when the body parses but is not a valid hook request, 400 only when it is not a JSON object (CRD hooks page:
/// "use 400 and 422 as FHIR create does"); never a 500.
/// </summary>
public sealed class HookRequestValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string OrderSign = "vertebral-augmentation-order-sign";

    private static JsonObject ValidRequest() => Charts.Request(Charts.Covered);

    public static TheoryData<string, string> BrokenRequests() => new()
    {
        { "hook-mismatch", "hook" },
        { "hook-missing", "hook" },
        { "hookInstance-missing", "hookInstance" },
        { "hookInstance-not-uuid", "hookInstance" },
        { "context-missing", "context" },
        { "patientId-missing", "context.patientId" },
        { "patientId-injection", "context.patientId" },
        { "userId-missing", "context.userId" },
        { "draftOrders-missing", "context.draftOrders" },
        { "draftOrders-not-bundle", "context.draftOrders" },
        { "draftOrders-invalid-fhir", "context.draftOrders" },
        { "fhirAuthorization-without-fhirServer", "fhirServer" },
        { "fhirAuthorization-not-bearer", "fhirAuthorization.token_type" },
        { "fhirServer-not-a-url", "fhirServer" },
        { "hook-wrong-json-type", "hook" },
    };

    private static JsonObject Break(string how)
    {
        var request = ValidRequest();
        var context = request["context"]!.AsObject();
        switch (how)
        {
            case "hook-mismatch": request["hook"] = "order-select"; break;
            case "hook-missing": request.Remove("hook"); break;
            case "hookInstance-missing": request.Remove("hookInstance"); break;
            case "hookInstance-not-uuid": request["hookInstance"] = "not-a-uuid"; break;
            case "context-missing": request.Remove("context"); break;
            case "patientId-missing": context.Remove("patientId"); break;
            case "patientId-injection": context["patientId"] = "x&_include=*"; break;
            case "userId-missing": context.Remove("userId"); break;
            case "draftOrders-missing": context.Remove("draftOrders"); break;
            case "draftOrders-not-bundle": context["draftOrders"] = new JsonArray(); break;
            case "draftOrders-invalid-fhir": context["draftOrders"]!["entry"]![0]!["resource"]!["authoredOn"] = "yesterday"; break;
            case "fhirAuthorization-without-fhirServer":
                request["fhirAuthorization"] = new JsonObject { ["access_token"] = "t", ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "s", ["subject"] = "x" };
                break;
            case "fhirAuthorization-not-bearer":
                request["fhirServer"] = "https://ehr.test.example/fhir";
                request["fhirAuthorization"] = new JsonObject { ["access_token"] = "t", ["token_type"] = "MAC", ["expires_in"] = 300, ["scope"] = "s", ["subject"] = "x" };
                break;
            case "fhirServer-not-a-url": request["fhirServer"] = "ftp://files"; break;
            case "hook-wrong-json-type": request["hook"] = 42; break;
            default: throw new ArgumentOutOfRangeException(nameof(how), how, null);
        }

        return request;
    }

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public async Task Parsable_but_invalid_request_is_refused_with_422_naming_the_field(string how, string field)
    {
        using var response = await factory.PostHookAsync(OrderSign, Break(how).ToJsonString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error for '{field}', got {errors.GetRawText()}");

        // OperationOutcome-style issues name the same field in expression.
        Assert.Contains(problem.RootElement.GetProperty("issue").EnumerateArray(), i => i.GetProperty("expression")[0].GetString() == field);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"order-sign\"")]
    public async Task Body_that_is_not_a_request_object_is_refused_with_400(string body)
    {
        using var response = await factory.PostHookAsync(OrderSign, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_root_and_context_fields_and_configuration_are_ignored()
    {
        var request = ValidRequest();
        request["somethingNew"] = new JsonObject { ["x"] = 1 };
        request["context"]!["futureField"] = "ignored";
        request["extension"] = new JsonObject
        {
            ["davinci-crd.configuration"] = new JsonObject { ["unheard-of-option"] = 7, ["max-cards"] = 2 },
            ["some.other"] = true,
        };

        using var response = await factory.PostHookAsync(OrderSign, request.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Null_prefetch_entries_mean_no_data_and_are_accepted()
    {
        var request = ValidRequest();
        request["prefetch"]!["procedures"] = null;
        using var response = await factory.PostHookAsync(OrderSign, request.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_service_is_404_with_problem_details()
    {
        using var response = await factory.PostHookAsync("no-such-service", ValidRequest().ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        var request = ValidRequest();
        request["padding"] = new string('x', 8 * 1024 * 1024 + 10);
        using var response = await factory.PostHookAsync(OrderSign, request.ToJsonString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Non_json_content_type_is_415()
    {
        using var client = factory.CreateClient();
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/cds-services/{OrderSign}")
        {
            Content = new StringContent("<xml/>", System.Text.Encoding.UTF8, "application/xml"),
        };
        message.Headers.Authorization = new("Bearer", factory.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}"));
        using var response = await client.SendAsync(message);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
