using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace VaCdsHooks.Trust;

/// <summary>Maps the SMART Backend Services endpoints registered by <c>AddSmartBackendServices</c>.</summary>
public static class SmartBackendEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /auth/token</c> and <c>GET /.well-known/smart-configuration</c> (also under <c>/fhir</c>, where
    /// SMART discovery expects it relative to the FHIR base URL). Both are anonymous: the token endpoint authenticates
    /// its caller by the client assertion, and reads its own size-limited form body, so no antiforgery token applies.
    /// Returns the group, for conventions such as rate limiting.
    /// </summary>
    public static IEndpointConventionBuilder MapSmartBackendServices(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty);

        group.MapPost(SmartBackendDefaults.TokenPath, (HttpContext context) =>
                context.RequestServices.GetRequiredService<SmartTokenEndpoint>().HandleAsync(context))
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithName("SmartBackendServicesToken");

        group.MapGet(SmartBackendDefaults.SmartConfigurationPath, WriteSmartConfiguration)
            .AllowAnonymous()
            .WithName("SmartConfiguration");
        group.MapGet(SmartBackendDefaults.FhirBasePath + SmartBackendDefaults.SmartConfigurationPath, WriteSmartConfiguration)
            .AllowAnonymous()
            .WithName("FhirSmartConfiguration");

        return group;
    }

    private static Task WriteSmartConfiguration(HttpContext context) =>
        context.RequestServices.GetRequiredService<SmartConfigurationDocument>().WriteAsync(context);
}
