using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Api.Review;

/// <summary>Settings of the review workspace, configuration section <c>Review</c>.</summary>
public sealed class ReviewOptions
{
    public const string Section = "Review";

    /// <summary>The payer's OpenID Connect provider for staff sign-in (browser) and bearer tokens (payer systems).</summary>
    public StaffOidcOptions Oidc { get; set; } = new();

    /// <summary>Local demo accounts; Development only unless explicitly enabled.</summary>
    public DemoAccountOptions DemoAccounts { get; set; } = new();

    /// <summary>A browser session ends after this long without a request.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Days a prior authorization approved by a reviewer holds.</summary>
    public int ApprovalValidDays { get; set; } = 90;

    /// <summary>Cases per queue page.</summary>
    public int QueuePageSize { get; set; } = 25;

    /// <summary>Every problem, naming the configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate(bool isDevelopment)
    {
        var errors = new List<string>();
        Oidc.Validate(errors);
        if (DemoAccounts.IsActive(isDevelopment))
        {
            DemoAccounts.Validate(errors);
        }

        if (SessionIdleTimeout < TimeSpan.FromMinutes(1) || SessionIdleTimeout > TimeSpan.FromHours(12))
        {
            errors.Add($"{Section}:{nameof(SessionIdleTimeout)} must be between 00:01:00 and 12:00:00; got {SessionIdleTimeout}.");
        }

        if (ApprovalValidDays is < 1 or > 730)
        {
            errors.Add($"{Section}:{nameof(ApprovalValidDays)} must be between 1 and 730; got {ApprovalValidDays}.");
        }

        if (QueuePageSize is < 1 or > 200)
        {
            errors.Add($"{Section}:{nameof(QueuePageSize)} must be between 1 and 200; got {QueuePageSize}.");
        }

        return errors;
    }
}

/// <summary><c>Review:Oidc</c>: all of Authority, ClientId and ClientSecret, or none.</summary>
public sealed class StaffOidcOptions
{
    public const string Section = ReviewOptions.Section + ":Oidc";

    /// <summary>The provider's issuer URL (its discovery document is read from there).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The <c>aud</c> payer systems' bearer tokens must carry; defaults to <see cref="ClientId"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim the provider puts roles (or groups) in.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Provider role or group value → our role (reviewer, medical-director, admin). Unmapped values are ignored; with an empty map our role names are taken as they come.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The claim that identifies the user in the audit log and on decisions.</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>The claim shown as the user's name on the pages.</summary>
    public string NameClaim { get; set; } = "name";

    public List<string> Scopes { get; set; } = [];

    public bool RequireHttpsMetadata { get; set; } = true;

    public string CallbackPath { get; set; } = "/review/signin-oidc";

    public string SignedOutCallbackPath { get; set; } = "/review/signout-callback-oidc";

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(ClientSecret);

    public IReadOnlyList<string> EffectiveScopes => Scopes.Count > 0 ? Scopes : ["openid", "profile"];

    public string EffectiveAudience => string.IsNullOrWhiteSpace(Audience) ? ClientId! : Audience;

    internal void Validate(List<string> errors)
    {
        if (!IsConfigured)
        {
            return;
        }

        // Half a configuration would silently leave staff unable to sign in (or worse, sign in without roles).
        foreach (var (value, name) in new[] { (Authority, nameof(Authority)), (ClientId, nameof(ClientId)), (ClientSecret, nameof(ClientSecret)) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{Section}:{name} is missing. The OpenID Connect section is half configured: set {Section}:Authority, :ClientId and :ClientSecret together, or none of them.");
            }
        }

        if (!string.IsNullOrWhiteSpace(Authority)
            && (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority)
                || (authority.Scheme != Uri.UriSchemeHttps && !(authority.Scheme == Uri.UriSchemeHttp && !RequireHttpsMetadata))))
        {
            errors.Add($"{Section}:Authority must be an absolute https URL (http only with {Section}:RequireHttpsMetadata=false); got '{Authority}'.");
        }

        if (string.IsNullOrWhiteSpace(RoleClaim))
        {
            errors.Add($"{Section}:RoleClaim must name the claim that carries roles.");
        }

        if (string.IsNullOrWhiteSpace(UserIdClaim))
        {
            errors.Add($"{Section}:UserIdClaim must name the claim that identifies the user.");
        }

        foreach (var (claimValue, role) in RoleMap)
        {
            if (!StaffRoles.IsKnown(role))
            {
                errors.Add($"{Section}:RoleMap:{claimValue} maps to '{role}', which is not one of {string.Join(", ", StaffRoles.All)}.");
            }
        }

        foreach (var (path, name) in new[] { (CallbackPath, nameof(CallbackPath)), (SignedOutCallbackPath, nameof(SignedOutCallbackPath)) })
        {
            if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/'))
            {
                errors.Add($"{Section}:{name} must be a path starting with '/'; got '{path}'.");
            }
        }
    }

    /// <summary>Our roles for the provider's claim values.</summary>
    public IEnumerable<string> MapRoles(IEnumerable<string> claimValues) =>
        claimValues
            .Select(v => RoleMap.Count == 0 ? v : RoleMap.GetValueOrDefault(v))
            .OfType<string>()
            .Where(StaffRoles.IsKnown)
            .Distinct(StringComparer.Ordinal);
}

/// <summary><c>Review:DemoAccounts</c>: local accounts for trying the workspace.</summary>
public sealed class DemoAccountOptions
{
    public const string Section = ReviewOptions.Section + ":DemoAccounts";

    /// <summary>
    /// Null (the default): on in Development only. Outside Development the accounts exist only with an explicit
    /// <c>true</c>, so a copied Development configuration cannot open a production system.
    /// </summary>
    public bool? Enabled { get; set; }

    public List<DemoAccount> Users { get; set; } = [];

    /// <summary>Failed sign-ins for one user name before it is locked.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address before it is held back.</summary>
    public int MaxFailedAttemptsPerClient { get; set; } = 20;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public bool IsActive(bool isDevelopment) => Enabled ?? isDevelopment;

    internal void Validate(List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Users.Count; i++)
        {
            var user = Users[i];
            var key = $"{Section}:Users:{i}";
            if (string.IsNullOrWhiteSpace(user.UserName))
            {
                errors.Add($"{key}:UserName is missing.");
            }
            else if (!names.Add(user.UserName))
            {
                errors.Add($"{key}:UserName '{user.UserName}' appears twice.");
            }

            if (!DemoPasswords.IsWellFormedHash(user.PasswordHash))
            {
                errors.Add($"{key}:PasswordHash is not an ASP.NET Core Identity (v3) password hash. Never put a plain password in configuration.");
            }

            if (user.Roles.Count == 0 || user.Roles.Any(r => !StaffRoles.IsKnown(r)))
            {
                errors.Add($"{key}:Roles must list one or more of {string.Join(", ", StaffRoles.All)}.");
            }
        }

        if (MaxFailedAttempts is < 1 or > 100)
        {
            errors.Add($"{Section}:{nameof(MaxFailedAttempts)} must be between 1 and 100.");
        }

        if (MaxFailedAttemptsPerClient is < 1 or > 10000)
        {
            errors.Add($"{Section}:{nameof(MaxFailedAttemptsPerClient)} must be between 1 and 10000.");
        }

        if (LockoutDuration < TimeSpan.FromSeconds(1) || LockoutDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{Section}:{nameof(LockoutDuration)} must be between 00:00:01 and 1.00:00:00.");
        }
    }
}

public sealed class DemoAccount
{
    public string UserName { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary>ASP.NET Core Identity v3 hash (PBKDF2); see README for making one.</summary>
    public string PasswordHash { get; set; } = "";

    public List<string> Roles { get; set; } = [];
}

/// <summary>Password hashes in the ASP.NET Core Identity v3 format (PBKDF2 with a random salt).</summary>
public static class DemoPasswords
{
    private static readonly PasswordHasher<DemoAccount> Hasher = new();

    public static string Hash(string password) => Hasher.HashPassword(new DemoAccount(), password);

    public static bool Verify(string hash, string password) =>
        IsWellFormedHash(hash) && Hasher.VerifyHashedPassword(new DemoAccount(), hash, password) != PasswordVerificationResult.Failed;

    public static bool IsWellFormedHash(string? hash)
    {
        if (string.IsNullOrWhiteSpace(hash))
        {
            return false;
        }

        var bytes = new byte[hash.Length];
        return Convert.TryFromBase64String(hash, bytes, out var length) && length > 13 && bytes[0] == 0x01;
    }
}
