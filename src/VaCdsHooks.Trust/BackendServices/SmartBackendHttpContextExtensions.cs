using Microsoft.AspNetCore.Http;

namespace VaCdsHooks.Trust;

/// <summary>Access to the DTR client that authenticated the current request with a SMART Backend Services token.</summary>
public static class SmartBackendHttpContextExtensions
{
    /// <summary>
    /// The client id of the verified DTR access token, or null when the request was not authenticated by
    /// <see cref="SmartBackendDefaults.AuthenticationScheme"/>.
    /// </summary>
    public static string? GetDtrClientId(this HttpContext httpContext) => httpContext.GetDtrClient()?.ClientId;

    /// <summary>The registration of the verified DTR client (its tenant, issuer, FHIR servers), or null.</summary>
    public static EhrClientRegistration? GetDtrClient(this HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return httpContext.Features.Get<DtrClientFeature>()?.Client;
    }

    /// <summary>The scopes granted to the verified DTR access token, space-separated, or null.</summary>
    public static string? GetDtrScope(this HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return httpContext.Features.Get<DtrClientFeature>()?.Scope;
    }
}
