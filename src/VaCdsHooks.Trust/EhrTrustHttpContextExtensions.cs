using Microsoft.AspNetCore.Http;

namespace VaCdsHooks.Trust;

/// <summary>Access to the EHR client that authenticated the current request.</summary>
public static class EhrTrustHttpContextExtensions
{
    /// <summary>
    /// The registration matched to the request's verified token, or null when the request was not authenticated
    /// by <see cref="EhrJwtDefaults.AuthenticationScheme"/>.
    /// </summary>
    public static EhrClientRegistration? GetEhrClient(this HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return httpContext.Features.Get<EhrClientRegistration>();
    }
}
