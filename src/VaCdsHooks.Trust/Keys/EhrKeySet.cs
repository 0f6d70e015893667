using System.Collections.Frozen;
using System.Net.Http;
using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Trust;

/// <summary>Outcome of looking a token's key up.</summary>
internal enum KeyLookupStatus
{
    Found,
    UnknownKeyId,
    KeysUnavailable,
    JkuNotAllowed,
}

internal readonly record struct KeyLookup(KeyLookupStatus Status, VerificationKey? Key)
{
    public static KeyLookup Unknown { get; } = new(KeyLookupStatus.UnknownKeyId, null);

    public static KeyLookup Unavailable { get; } = new(KeyLookupStatus.KeysUnavailable, null);

    public static KeyLookup JkuNotAllowed { get; } = new(KeyLookupStatus.JkuNotAllowed, null);

    /// <summary>Found only when the key exists and suits <paramref name="algorithm"/>.</summary>
    public static KeyLookup Of(VerificationKey? key, string algorithm) =>
        key is not null && key.CanVerify(algorithm) ? new(KeyLookupStatus.Found, key) : Unknown;
}

/// <summary>Where an EHR's verification keys come from: configuration or a JWK Set URL.</summary>
internal abstract class EhrKeySet
{
    /// <summary>The key <paramref name="keyId"/> for <paramref name="algorithm"/>; completes synchronously when cached.</summary>
    public abstract ValueTask<KeyLookup> FindAsync(string keyId, string algorithm);
}

/// <summary>A JWK Set given inline in configuration; never fetched.</summary>
internal sealed class InlineKeySet(string jwks) : EhrKeySet
{
    private readonly FrozenDictionary<string, VerificationKey> _keys = VerificationKey.ReadJwks(jwks);

    public override ValueTask<KeyLookup> FindAsync(string keyId, string algorithm) =>
        ValueTask.FromResult(KeyLookup.Of(_keys.GetValueOrDefault(keyId), algorithm));
}

/// <summary>
/// One JWK Set URL with its cached keys. Known keys are served without I/O, also while the endpoint is down; keys
/// older than the refresh interval are refetched in the background. An unknown <c>kid</c> refetches at most once per
/// minimum refresh interval, and concurrent callers share one in-flight fetch, so a flood of random <c>kid</c> values
/// costs the EHR's key endpoint at most one request per interval. A failed, oversized or unparsable fetch keeps the
/// keys already cached.
/// </summary>
/// <remarks>
/// Not <c>ConfigurationManager&lt;JsonWebKeySet&gt;</c>: in the referenced version (8.0.1) it reads the wall clock,
/// holds every caller on its lock while a due refresh runs (a hanging key endpoint would stall hook calls whose key is
/// cached), and retries a never-loaded set every few seconds whatever its <c>RefreshInterval</c>.
/// </remarks>
internal sealed class RemoteKeySet(Uri url, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger logger, EhrTrustOptions options)
    : EhrKeySet
{
    // The whole response is buffered; a JWK Set is a few kilobytes, so anything this large is not one.
    internal const int MaxJwksBytes = 256 * 1024;

    private sealed record Snapshot(FrozenDictionary<string, VerificationKey> Keys, DateTimeOffset LoadedAt);

    private readonly Lock _gate = new();
    private Snapshot? _current;
    private Task<Snapshot?>? _fetch;
    private DateTimeOffset? _lastFetchStartedAt;

    public override ValueTask<KeyLookup> FindAsync(string keyId, string algorithm)
    {
        var snapshot = Volatile.Read(ref _current);
        if (snapshot?.Keys.GetValueOrDefault(keyId) is { } known)
        {
            if (time.GetUtcNow() - snapshot.LoadedAt >= options.JwksRefreshInterval)
            {
                // Serve the cached key now; the refresh lets a withdrawn key drop out without delaying this call.
                _ = StartFetchIfDue();
            }

            return ValueTask.FromResult(KeyLookup.Of(known, algorithm));
        }

        return StartFetchIfDue() is { } fetch
            ? AwaitFetchAsync(fetch, keyId, algorithm)
            : ValueTask.FromResult(snapshot is null ? KeyLookup.Unavailable : KeyLookup.Unknown);
    }

    private async ValueTask<KeyLookup> AwaitFetchAsync(Task<Snapshot?> fetch, string keyId, string algorithm)
    {
        try
        {
            // The HTTP client enforces the fetch deadline; waiting is bounded as well so no caller can outlive it.
            var refreshed = await fetch.WaitAsync(options.JwksFetchTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return refreshed is null ? KeyLookup.Unavailable : KeyLookup.Of(refreshed.Keys.GetValueOrDefault(keyId), algorithm);
        }
        catch (TimeoutException)
        {
            return KeyLookup.Unavailable;
        }
    }

    /// <summary>The fetch to wait for: the one in flight, a new one if the interval allows, or none.</summary>
    private Task<Snapshot?>? StartFetchIfDue()
    {
        lock (_gate)
        {
            if (_fetch is { IsCompleted: false } inFlight)
            {
                return inFlight;
            }

            var now = time.GetUtcNow();
            if (_lastFetchStartedAt is { } last && now - last < options.JwksMinimumRefreshInterval)
            {
                return null;
            }

            _lastFetchStartedAt = now;
            // Run off the lock: the fetch may complete synchronously (or slowly) without blocking other lookups.
            return _fetch = Task.Run(FetchAsync);
        }
    }

    /// <summary>Fetches and reads the JWK Set; never throws, a failure is logged and yields null.</summary>
    private async Task<Snapshot?> FetchAsync()
    {
        try
        {
            // The named client caps the body (MaxJwksBytes) and the time (JwksFetchTimeout), and follows no redirect.
            var json = await httpClientFactory.CreateClient(EhrJwtDefaults.JwksHttpClientName).GetStringAsync(url).ConfigureAwait(false);
            var keys = VerificationKey.ReadJwks(json);
            if (keys.Count == 0)
            {
                EhrTrustLog.JwksFetchFailed(logger, url, "no usable signature keys");
                return null;
            }

            var snapshot = new Snapshot(keys, time.GetUtcNow());
            Volatile.Write(ref _current, snapshot);
            EhrTrustLog.JwksFetched(logger, url, keys.Count);
            return snapshot;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ArgumentException or IOException)
        {
            EhrTrustLog.JwksFetchFailed(logger, url, ex switch
            {
                HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status}",
                OperationCanceledException => "timed out",
                ArgumentException => "not a JWK Set",
                _ => ex.Message,
            });
            return null;
        }
    }
}
