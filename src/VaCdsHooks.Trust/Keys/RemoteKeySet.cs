using System.Net.Http;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Trust;

/// <summary>
/// One JWK Set URL with its cached keys. Lookups of known keys never do I/O. An unknown <c>kid</c> triggers a
/// refetch at most once per minimum refresh interval, and concurrent callers share one in-flight fetch, so a flood
/// of random <c>kid</c> values costs the EHR's key endpoint at most one request per interval.
/// </summary>
internal sealed class RemoteKeySet : EhrKeySet
{
    // The whole response is buffered; a JWK Set is a few kilobytes, so anything this large is not one.
    internal const int MaxJwksBytes = 256 * 1024;

    private readonly Uri _url;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _minimumRefreshInterval;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _fetchTimeout;
    private readonly Lock _gate = new();

    private KeySnapshot? _current;
    private Task<KeySnapshot?>? _fetch;
    private DateTimeOffset? _lastFetchStartedAt;

    public RemoteKeySet(
        Uri url,
        IHttpClientFactory httpClientFactory,
        TimeProvider time,
        ILogger logger,
        EhrTrustOptions options)
    {
        _url = url;
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
        _minimumRefreshInterval = options.JwksMinimumRefreshInterval;
        _refreshInterval = options.JwksRefreshInterval;
        _fetchTimeout = options.JwksFetchTimeout;
    }

    public Uri Url => _url;

    public override EhrVerificationKey? FindCached(string keyId) => Volatile.Read(ref _current)?.Find(keyId);

    public override ValueTask<KeyLookup> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref _current);
        if (snapshot?.Find(keyId) is { } known)
        {
            if (_time.GetUtcNow() - snapshot.LoadedAt >= _refreshInterval)
            {
                // Serve the cached key now; the refresh lets a withdrawn key drop out without delaying this call.
                _ = StartFetchIfDue();
            }

            return ValueTask.FromResult(new KeyLookup(KeyLookupStatus.Found, known));
        }

        var fetch = StartFetchIfDue();
        if (fetch is null)
        {
            return ValueTask.FromResult(KeyLookup.Of(null, keysAvailable: snapshot is not null));
        }

        return AwaitFetchAsync(fetch, keyId, cancellationToken);
    }

    private async ValueTask<KeyLookup> AwaitFetchAsync(Task<KeySnapshot?> fetch, string keyId, CancellationToken cancellationToken)
    {
        // The fetch enforces its own deadline; waiting is bounded as well so no caller can outlive it.
        var refreshed = await fetch.WaitAsync(_fetchTimeout + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        return refreshed is null ? KeyLookup.Unavailable : KeyLookup.Of(refreshed.Find(keyId), keysAvailable: true);
    }

    /// <summary>The fetch to wait for: the one in flight, a new one if the interval allows, or none.</summary>
    private Task<KeySnapshot?>? StartFetchIfDue()
    {
        lock (_gate)
        {
            if (_fetch is { IsCompleted: false } inFlight)
            {
                return inFlight;
            }

            var now = _time.GetUtcNow();
            if (_lastFetchStartedAt is { } last && now - last < _minimumRefreshInterval)
            {
                return null;
            }

            _lastFetchStartedAt = now;
            // Started off the lock: the fetch may complete synchronously (or slowly) without blocking other lookups.
            _fetch = Task.Run(FetchAsync);
            return _fetch;
        }
    }

    /// <summary>Fetches and parses the JWK Set; never throws, a failure is logged and yields null.</summary>
    private async Task<KeySnapshot?> FetchAsync()
    {
        // Not tied to any one request: callers share this fetch, so it gets its own deadline instead.
        using var timeout = new CancellationTokenSource(_fetchTimeout);
        try
        {
            var client = _httpClientFactory.CreateClient(EhrJwtDefaults.JwksHttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, _url);
            request.Headers.Accept.ParseAdd("application/jwk-set+json");
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                EhrTrustLog.JwksFetchFailed(_logger, _url, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            if (response.Content.Headers.ContentLength > MaxJwksBytes)
            {
                EhrTrustLog.JwksFetchFailed(_logger, _url, "response too large");
                return null;
            }

            var body = await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            if (body is null)
            {
                EhrTrustLog.JwksFetchFailed(_logger, _url, "response too large");
                return null;
            }

            var snapshot = JwksDocument.Parse(body, _time.GetUtcNow());
            if (snapshot.Count == 0)
            {
                EhrTrustLog.JwksFetchFailed(_logger, _url, "no usable signature keys");
                return null;
            }

            Volatile.Write(ref _current, snapshot);
            EhrTrustLog.JwksFetched(_logger, _url, snapshot.Count);
            return snapshot;
        }
        catch (OperationCanceledException)
        {
            EhrTrustLog.JwksFetchFailed(_logger, _url, "timed out");
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException or InvalidOperationException)
        {
            EhrTrustLog.JwksFetchFailed(_logger, _url, ex.GetType().Name);
            return null;
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxJwksBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
