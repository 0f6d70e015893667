using Microsoft.IdentityModel.JsonWebTokens;

namespace VaCdsHooks.Trust;

/// <summary>JWS header rules shared by EHR hook tokens and DTR client assertions.</summary>
internal static class JoseHeaders
{
    /// <summary>
    /// RFC 7515 section 4.1.11: a recipient that does not understand every extension a token lists in <c>crit</c>
    /// must refuse it. We implement none, so any <c>crit</c> header (even a malformed one) refuses the token.
    /// </summary>
    public static bool NamesCriticalExtensions(JsonWebToken jwt) => jwt.TryGetHeaderValue<object>("crit", out _);
}
