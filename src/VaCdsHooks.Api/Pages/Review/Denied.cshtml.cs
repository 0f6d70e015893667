using Microsoft.AspNetCore.Mvc.RazorPages;
using VaCdsHooks.Api.Review;

namespace VaCdsHooks.Api.Pages.Review;

/// <summary>Signed in, but the role does not allow the page: said plainly, with a 403.</summary>
public sealed class DeniedModel : PageModel
{
    public IReadOnlyList<string> Roles { get; private set; } = [];

    public void OnGet()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Roles = StaffRoles.RolesOf(User);
    }
}
