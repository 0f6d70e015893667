using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>The result of a demo sign-in attempt.</summary>
public sealed record DemoSignInResult(ClaimsPrincipal? Principal, string? Problem, TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Principal is not null;
}

/// <summary>
/// Checks demo account passwords, with lockout: too many failures for one user name locks it, too many from one
/// client address holds that client back, both for <see cref="DemoAccountOptions.LockoutDuration"/>. Each attempt
/// is counted before its password is checked, in one step with the lockout check, so concurrent guesses cannot all
/// slip past the limit; a success gives its attempt back. The counters are in the shared database
/// (<see cref="ISignInAttemptStore"/>), so spreading guesses over instances gains nothing.
/// </summary>
public sealed class DemoSignIn
{
    // Verified for unknown user names too, so a wrong name costs the same time as a wrong password.
    private static readonly string DummyHash = DemoPasswords.Hash(Guid.NewGuid().ToString("N"));

    private readonly DemoAccountOptions _options;
    private readonly bool _active;
    private readonly ISignInAttemptStore _attempts;
    private readonly TimeProvider _time;

    public DemoSignIn(ReviewOptions options, IHostEnvironment environment, ISignInAttemptStore attempts, TimeProvider time)
    {
        _options = options.DemoAccounts;
        _active = _options.IsActive(environment.IsDevelopment());
        _attempts = attempts;
        _time = time;
    }

    /// <summary>Whether the local sign-in form exists at all.</summary>
    public bool IsActive => _active;

    public async Task<DemoSignInResult> SignInAsync(string? userName, string? password, string clientAddress, CancellationToken cancellationToken = default)
    {
        if (!_active)
        {
            return new DemoSignInResult(null, "Local sign-in is not available.");
        }

        var now = _time.GetUtcNow();
        var user = new SignInAttemptCounter(CounterKey("user", (userName ?? string.Empty).Trim().ToLowerInvariant()), _options.MaxFailedAttempts);
        var client = new SignInAttemptCounter(CounterKey("client", clientAddress), _options.MaxFailedAttemptsPerClient);

        // Counted as failed until the password proves otherwise.
        if (await _attempts.TryCountAsync([user, client], _options.LockoutDuration, now, cancellationToken) is { } lockedUntil)
        {
            var wait = lockedUntil > now ? lockedUntil - now : TimeSpan.Zero;
            return new DemoSignInResult(null, $"Too many failed sign-ins. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minute(s).", wait);
        }

        var account = _options.Users.FirstOrDefault(u => string.Equals(u.UserName, userName?.Trim(), StringComparison.OrdinalIgnoreCase));
        var valid = DemoPasswords.Verify(account?.PasswordHash ?? DummyHash, password ?? string.Empty) && account is not null;
        if (!valid)
        {
            return new DemoSignInResult(null, "The user name or password is wrong.");
        }

        await _attempts.ClearAsync(user.Key, CancellationToken.None);
        await _attempts.GiveBackAsync(client, CancellationToken.None);

        var identity = new ClaimsIdentity(ReviewAuthentication.CookieScheme, StaffRoles.NameClaim, StaffRoles.RoleClaim);
        identity.AddClaim(new Claim(StaffRoles.UserIdClaim, account!.UserName));
        identity.AddClaim(new Claim(StaffRoles.NameClaim, account.DisplayName ?? account.UserName));
        identity.AddClaim(new Claim("amr", "pwd"));
        foreach (var role in account.Roles.Where(StaffRoles.IsKnown).Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(StaffRoles.RoleClaim, role));
        }

        return new DemoSignInResult(new ClaimsPrincipal(identity), null);
    }

    // A fingerprint: what someone typed as a user name (a password, now and then) is not kept in the database.
    private static string CounterKey(string kind, string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + ":" + value)));
}
