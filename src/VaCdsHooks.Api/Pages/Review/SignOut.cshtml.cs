using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VaCdsHooks.Api.Review;

namespace VaCdsHooks.Api.Pages.Review;

/// <summary>Ends the session (POST only, with antiforgery); a provider session too when that is how the user came in.</summary>
public sealed class SignOutModel(ReviewOptions options) : PageModel
{
    public IActionResult OnGet() => Redirect("/review");

    public IActionResult OnPost()
    {
        var viaProvider = options.Oidc.IsConfigured && User.FindFirst(ReviewAuthentication.ViaClaim)?.Value == "oidc";
        var properties = new AuthenticationProperties { RedirectUri = ReviewAuthentication.SignInPath + "?signedOut=1" };
        return viaProvider
            ? SignOut(properties, ReviewAuthentication.CookieScheme, ReviewAuthentication.OidcScheme)
            : SignOut(properties, ReviewAuthentication.CookieScheme);
    }
}
