using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace VaCdsHooks.Testing;

/// <summary>
/// An in-process stand-in for EHR JWK Set endpoints, to install as the primary handler of the JWKS HTTP client.
/// Counts every fetch per URL so tests can assert on caching and refresh behaviour.
/// <code>
/// var jwks = new StubJwksHandler();
/// jwks.Serve("https://ehr.example.com/jwks", ehr);   // serves ehr.JwksJson as it is at fetch time
/// services.AddHttpClient(EhrJwtDefaults.JwksHttpClientName).ConfigurePrimaryHttpMessageHandler(() => jwks);
/// </code>
/// </summary>
public sealed class StubJwksHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<HttpResponseMessage>>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);
    private int _totalFetches;

    /// <summary>Delay before every answer, to hold fetches in flight.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Fetches of any URL so far.</summary>
    public int TotalFetchCount => Volatile.Read(ref _totalFetches);

    /// <summary>Serves the factory's current JWK Set at <paramref name="url"/>.</summary>
    public StubJwksHandler Serve(string url, EhrTokenFactory ehr)
    {
        ArgumentNullException.ThrowIfNull(ehr);
        return Serve(url, () => ehr.JwksJson);
    }

    /// <summary>Serves whatever <paramref name="jwksJson"/> returns at fetch time.</summary>
    public StubJwksHandler Serve(string url, Func<string> jwksJson)
    {
        ArgumentNullException.ThrowIfNull(jwksJson);
        _routes[Key(url)] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(jwksJson(), Encoding.UTF8, "application/jwk-set+json"),
        });
        return this;
    }

    /// <summary>Answers <paramref name="url"/> with <paramref name="status"/> and no body.</summary>
    public StubJwksHandler Respond(string url, HttpStatusCode status)
    {
        _routes[Key(url)] = _ => Task.FromResult(new HttpResponseMessage(status));
        return this;
    }

    /// <summary>Never answers <paramref name="url"/>; only the caller's cancellation ends the request.</summary>
    public StubJwksHandler Hang(string url)
    {
        _routes[Key(url)] = async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new OperationCanceledException(cancellationToken);
        };
        return this;
    }

    /// <summary>How often <paramref name="url"/> was fetched.</summary>
    public int FetchCount(string url) => _fetches.GetValueOrDefault(Key(url));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Key(request.RequestUri!.AbsoluteUri);
        _fetches.AddOrUpdate(key, 1, (_, count) => count + 1);
        Interlocked.Increment(ref _totalFetches);
        if (ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(ResponseDelay, cancellationToken);
        }

        return _routes.TryGetValue(key, out var respond)
            ? await respond(cancellationToken)
            : new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static string Key(string url) => new Uri(url, UriKind.Absolute).AbsoluteUri;
}
