using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>
/// Staff sessions kept server-side, behind the cookie: signing in (demo form or OpenID Connect) starts a session row
/// whose id the cookie carries, every request renews it in one statement, and signing out ends it. A cookie is only
/// as good as its session, so one signed out on any instance is refused by all of them at once.
/// </summary>
internal static class StaffSessions
{
    /// <summary>The claim carrying the session id in the cookie.</summary>
    public const string SessionIdClaim = "vacdshooks:sid";

    public static async Task StartAsync(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (var stale in identity.FindAll(SessionIdClaim).ToList())
        {
            identity.RemoveClaim(stale);
        }

        var userId = StaffRoles.UserIdOf(context.Principal);
        var sessionId = await services.GetRequiredService<IStaffSessionStore>()
            .StartAsync(userId.Length > 0 ? userId : "unknown", now, now + context.Options.ExpireTimeSpan, context.HttpContext.RequestAborted);
        identity.AddClaim(new Claim(SessionIdClaim, sessionId));
    }

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var sessionId = context.Principal?.FindFirst(SessionIdClaim)?.Value;
        if (sessionId is not null
            && await services.GetRequiredService<IStaffSessionStore>().RenewAsync(sessionId, now, now + context.Options.ExpireTimeSpan, context.HttpContext.RequestAborted))
        {
            return;
        }

        // Ended, expired, or a cookie from before sessions were kept: treat as signed out and drop the cookie.
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
    }

    public static async Task EndAsync(CookieSigningOutContext context)
    {
        // The staff scheme has already run for the sign-out page, so the user is the cookie's principal.
        if (context.HttpContext.User.FindFirst(SessionIdClaim)?.Value is not { Length: > 0 } sessionId)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        await services.GetRequiredService<IStaffSessionStore>()
            .EndAsync(sessionId, services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
    }
}
