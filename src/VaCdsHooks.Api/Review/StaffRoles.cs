using System.Security.Claims;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>The staff roles of the review workspace and what each may do (README, "Payer review workspace").</summary>
public static class StaffRoles
{
    public const string Reviewer = "reviewer";
    public const string MedicalDirector = "medical-director";
    public const string Admin = "admin";

    /// <summary>The claim type our roles travel in, whatever the sign-in method (demo form, OIDC, bearer token).</summary>
    public const string RoleClaim = "vacdshooks:role";

    /// <summary>The stable user id (demo user name or the provider's subject).</summary>
    public const string UserIdClaim = "vacdshooks:user";

    public const string NameClaim = "name";

    public static IReadOnlyList<string> All { get; } = [Reviewer, MedicalDirector, Admin];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal user) =>
        user.FindAll(RoleClaim).Select(c => c.Value).Where(IsKnown).Distinct(StringComparer.Ordinal).ToList();

    public static string UserIdOf(ClaimsPrincipal user) =>
        user.FindFirst(UserIdClaim)?.Value ?? throw new InvalidOperationException("A signed-in staff user has no user id claim.");

    public static string DisplayNameOf(ClaimsPrincipal user) => user.FindFirst(NameClaim)?.Value ?? UserIdOf(user);

    /// <summary>
    /// The role matrix, enforced on the server for pages and API alike:
    /// reviewer and medical director read cases, approve and pend; only the medical director denies;
    /// admin runs the service (job dashboard) and sees no patient data.
    /// </summary>
    public static bool May(ClaimsPrincipal user, ReviewDecisionKind decision) => DecidingRole(user, decision) is not null;

    /// <summary>The role a decision is made in (stored with it), or null when the user may not make it.</summary>
    public static string? DecidingRole(ClaimsPrincipal user, ReviewDecisionKind decision)
    {
        var roles = RolesOf(user);
        if (roles.Contains(MedicalDirector))
        {
            return MedicalDirector;
        }

        return decision != ReviewDecisionKind.Deny && roles.Contains(Reviewer) ? Reviewer : null;
    }

    /// <summary>The role written to the audit log for a read: the most senior case-reading role held.</summary>
    public static string AuditRole(ClaimsPrincipal user)
    {
        var roles = RolesOf(user);
        return roles.Contains(MedicalDirector) ? MedicalDirector : roles.Contains(Reviewer) ? Reviewer : roles.FirstOrDefault() ?? "none";
    }
}

/// <summary>Authorization policies. Each names its schemes explicitly so the EHR and DTR schemes are never consulted.</summary>
public static class ReviewPolicies
{
    /// <summary>Read the queue and cases (PHI), approve and pend.</summary>
    public const string ReadCases = "review:read-cases";

    /// <summary>Deny a case.</summary>
    public const string Deny = "review:deny";

    /// <summary>The Hangfire dashboard.</summary>
    public const string Admin = "review:admin";
}
