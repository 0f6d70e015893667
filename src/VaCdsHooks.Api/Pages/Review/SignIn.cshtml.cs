using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VaCdsHooks.Api.Review;

namespace VaCdsHooks.Api.Pages.Review;

/// <summary>Staff sign-in: the payer's OpenID Connect provider, or (Development) the demo accounts form.</summary>
public sealed class SignInModel(DemoSignIn demo, ReviewOptions options, ReviewService review) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Problem { get; private set; }

    public bool DemoActive => demo.IsActive;

    public bool OidcActive => options.Oidc.IsConfigured;

    public IReadOnlyList<DemoAccount> DemoAccounts => demo.IsActive ? options.DemoAccounts.Users : [];

    public IActionResult OnGet(string? error)
    {
        if (User.HasClaim(c => c.Type == StaffRoles.UserIdClaim) && error is null)
        {
            return LocalRedirect(SafeReturnUrl());
        }

        if (error == "provider")
        {
            Problem = "The sign-in provider did not sign you in. Try again, or ask your administrator.";
        }

        // With only the provider there is nothing to choose: go straight there.
        if (OidcActive && !DemoActive && error is null)
        {
            return Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl() }, ReviewAuthentication.OidcScheme);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!demo.IsActive)
        {
            return NotFound();
        }

        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var result = await demo.SignInAsync(UserName, Password, address, cancellationToken);
        if (!result.Succeeded)
        {
            await review.AuditSignInAsync(UserName ?? "", "none", succeeded: false, address, result.RetryAfter is null ? "wrong user name or password" : "locked out", cancellationToken);
            Problem = result.Problem;
            Response.StatusCode = result.RetryAfter is null ? StatusCodes.Status200OK : StatusCodes.Status429TooManyRequests;
            Password = null;
            return Page();
        }

        var principal = result.Principal!;
        ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new System.Security.Claims.Claim(ReviewAuthentication.ViaClaim, "demo"));
        await HttpContext.SignInAsync(ReviewAuthentication.CookieScheme, principal, new AuthenticationProperties { IsPersistent = false });
        await review.AuditSignInAsync(StaffRoles.UserIdOf(principal), string.Join(",", StaffRoles.RolesOf(principal)), succeeded: true, address, "demo account", cancellationToken);
        return LocalRedirect(SafeReturnUrl(StaffRoles.RolesOf(principal)));
    }

    public IActionResult OnPostProvider() =>
        OidcActive
            ? Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl() }, ReviewAuthentication.OidcScheme)
            : NotFound();

    private string SafeReturnUrl(IReadOnlyList<string>? roles = null)
    {
        if (!string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl))
        {
            return ReturnUrl;
        }

        // An admin's home is the job dashboard; everyone else's the queue.
        return roles is { Count: > 0 } && roles.All(r => r == StaffRoles.Admin) ? ReviewAuthentication.JobsPath : "/review";
    }
}
