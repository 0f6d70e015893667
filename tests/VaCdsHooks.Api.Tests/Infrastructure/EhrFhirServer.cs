using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.DemoEhr;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>Teaches a WireMock server to answer the service's prefetch queries from an example chart.</summary>
public static class EhrFhirServer
{
    public const string AccessToken = "ehr-issued-access-token";

    public static void ServeChart(this WireMockServer server, IReadOnlyList<Resource> chart, TimeSpan? delay = null)
    {
        var patient = chart.OfType<Patient>().Single();
        server.Given(Request.Create().WithPath($"/fhir/Patient/{patient.Id}").UsingGet())
            .RespondWith(Fhir(patient, delay));

        foreach (var (_, type) in DemoHookRequest.SearchTemplates)
        {
            var searchset = new Bundle
            {
                Type = Bundle.BundleType.Searchset,
                Entry = chart.Where(r => r.TypeName == type).Select(r => new Bundle.EntryComponent { Resource = r }).ToList(),
            };
            server.Given(Request.Create().WithPath($"/fhir/{type}").WithParam("patient", patient.Id!).UsingGet())
                .RespondWith(Fhir(searchset, delay));
        }

        foreach (var order in chart.OfType<ServiceRequest>())
        {
            server.Given(Request.Create().WithPath($"/fhir/ServiceRequest/{order.Id}").UsingGet())
                .RespondWith(Fhir(order, delay));
        }
    }

    public static IResponseBuilder Fhir(Resource resource, TimeSpan? delay = null)
    {
        var response = Response.Create()
            .WithStatusCode(200)
            .WithHeader("Content-Type", "application/fhir+json")
            .WithBody(JsonSerializer.Serialize(resource, DemoHookRequest.FhirJson));
        return delay is { } d ? response.WithDelay(d) : response;
    }

    /// <summary>Adds the EHR's FHIR server and token to a request without prefetch.</summary>
    public static void PointAt(this System.Text.Json.Nodes.JsonObject request, string fhirBase)
    {
        request["fhirServer"] = fhirBase;
        request["fhirAuthorization"] = new System.Text.Json.Nodes.JsonObject
        {
            ["access_token"] = AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "vacdshooks",
        };
    }
}
