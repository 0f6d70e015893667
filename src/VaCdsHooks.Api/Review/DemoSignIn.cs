using System.Collections.Concurrent;
using System.Security.Claims;

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
/// slip past the limit; a success gives its attempt back. In memory and per instance, which is enough for
/// accounts that exist only for trying the workspace.
/// </summary>
public sealed class DemoSignIn
{
    // Verified for unknown user names too, so a wrong name costs the same time as a wrong password.
    private static readonly string DummyHash = DemoPasswords.Hash(Guid.NewGuid().ToString("N"));
    private const int MaxTrackedKeys = 10_000;

    private readonly DemoAccountOptions _options;
    private readonly bool _active;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public DemoSignIn(ReviewOptions options, IHostEnvironment environment, TimeProvider time)
    {
        _options = options.DemoAccounts;
        _active = _options.IsActive(environment.IsDevelopment());
        _time = time;
    }

    /// <summary>Whether the local sign-in form exists at all.</summary>
    public bool IsActive => _active;

    public DemoSignInResult SignIn(string? userName, string? password, string clientAddress)
    {
        if (!_active)
        {
            return new DemoSignInResult(null, "Local sign-in is not available.");
        }

        var now = _time.GetUtcNow();
        var userKey = "user:" + (userName ?? string.Empty).Trim().ToLowerInvariant();
        var clientKey = "client:" + clientAddress;
        lock (_gate)
        {
            var userLocked = LockedUntil(userKey, now);
            var clientLocked = LockedUntil(clientKey, now);
            if (userLocked is not null || clientLocked is not null)
            {
                var wait = (userLocked ?? now) > (clientLocked ?? now) ? userLocked!.Value - now : clientLocked!.Value - now;
                return new DemoSignInResult(null, $"Too many failed sign-ins. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minute(s).", wait);
            }

            // Counted as failed until the password proves otherwise.
            RecordFailure(userKey, _options.MaxFailedAttempts, now);
            RecordFailure(clientKey, _options.MaxFailedAttemptsPerClient, now);
        }

        var account = _options.Users.FirstOrDefault(u => string.Equals(u.UserName, userName?.Trim(), StringComparison.OrdinalIgnoreCase));
        var valid = DemoPasswords.Verify(account?.PasswordHash ?? DummyHash, password ?? string.Empty) && account is not null;
        if (!valid)
        {
            return new DemoSignInResult(null, "The user name or password is wrong.");
        }

        lock (_gate)
        {
            _failures.TryRemove(userKey, out _);
            if (_failures.TryGetValue(clientKey, out var client) && client.Count > 0)
            {
                _failures[clientKey] = client with { Count = client.Count - 1, LockedUntil = client.Count - 1 >= _options.MaxFailedAttemptsPerClient ? client.LockedUntil : null };
            }
        }
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

    private DateTimeOffset? LockedUntil(string key, DateTimeOffset now) =>
        _failures.TryGetValue(key, out var failures) && failures.LockedUntil is { } until && until > now ? until : null;

    private void RecordFailure(string key, int limit, DateTimeOffset now)
    {
        if (_failures.Count > MaxTrackedKeys)
        {
            // Bounded memory under a spray of names: forget entries whose window has passed.
            foreach (var stale in _failures.Where(f => f.Value.WindowStart + _options.LockoutDuration < now && (f.Value.LockedUntil ?? now) <= now).ToList())
            {
                _failures.TryRemove(stale.Key, out _);
            }
        }

        _failures.AddOrUpdate(
            key,
            _ => Next(new Failures(0, now, null)),
            (_, existing) => Next(existing.WindowStart + _options.LockoutDuration < now && (existing.LockedUntil ?? now) <= now ? new Failures(0, now, null) : existing));

        Failures Next(Failures current)
        {
            var count = current.Count + 1;
            return current with { Count = count, LockedUntil = count >= limit ? now + _options.LockoutDuration : current.LockedUntil };
        }
    }

    private sealed record Failures(int Count, DateTimeOffset WindowStart, DateTimeOffset? LockedUntil);
}
