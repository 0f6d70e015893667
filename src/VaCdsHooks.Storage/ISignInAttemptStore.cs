namespace VaCdsHooks.Storage;

/// <summary>A failed-attempt counter: its key (a fingerprint, never the user name or address itself) and how many failures lock it.</summary>
public sealed record SignInAttemptCounter(string Key, int Limit);

/// <summary>
/// Sign-in lockout counters in the shared database, so a guesser spreading attempts over instances meets one limit.
/// </summary>
public interface ISignInAttemptStore
{
    /// <summary>
    /// Counts one attempt against every counter, atomically and in one transaction, unless any of them is locked at
    /// <paramref name="now"/>. Returns null when counted (the password may be checked), or the time the latest lock
    /// ends when refused (nothing is counted then). A counter reaching its limit is locked for
    /// <paramref name="lockout"/>; a counter whose window of <paramref name="lockout"/> has passed starts over.
    /// </summary>
    Task<DateTimeOffset?> TryCountAsync(IReadOnlyList<SignInAttemptCounter> counters, TimeSpan lockout, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Gives one counted attempt back (a correct password); the lock goes when the count falls below the limit.</summary>
    Task GiveBackAsync(SignInAttemptCounter counter, CancellationToken cancellationToken = default);

    /// <summary>Forgets the counter altogether.</summary>
    Task ClearAsync(string key, CancellationToken cancellationToken = default);
}
