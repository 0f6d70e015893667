using System.Diagnostics;
using System.Net;
using VaCdsHooks.Testing;
using static VaCdsHooks.Trust.Tests.Support.TrustTestHost;

namespace VaCdsHooks.Trust.Tests;

/// <summary>
/// The EHR's key endpoint misbehaving after its keys were cached: the cached keys keep serving, an unknown key is
/// refused, and the endpoint is asked at most once per minimum refresh interval.
/// </summary>
public sealed class JwksFaultTests
{
    private const int JwksFetchFailedEvent = 4101;
    private static readonly TimeSpan PastMinimumRefreshInterval = TimeSpan.FromSeconds(31);
    private static readonly TimeSpan PastRefreshInterval = TimeSpan.FromMinutes(11);

    [Fact]
    public async Task Cached_keys_keep_working_while_the_jwks_endpoint_is_down()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        host.Jwks.Respond(JwksUrl, HttpStatusCode.ServiceUnavailable);
        host.Time.Advance(PastRefreshInterval);

        // The first call starts the (failing) background refresh, the next ones find it failed; all are served.
        for (var i = 0; i < 5; i++)
        {
            await AssertAcceptedAsync(await host.CallServiceAsync(t => t.SigningKey = i % 2 == 0 ? host.Ehr.Es384Key : host.Ehr.Rs384Key));
        }

        await WaitForAsync(() => host.Logs.Lines.Any(l => l.EventId.Id == JwksFetchFailedEvent));
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Cached_keys_do_not_wait_for_a_hanging_jwks_endpoint()
    {
        await using var host = await StartAsync((settings, _) => settings["JwksFetchTimeout"] = "00:01:00");
        await AssertAcceptedAsync(await host.CallServiceAsync());
        host.Jwks.Hang(JwksUrl);
        host.Time.Advance(PastRefreshInterval);
        var clock = Stopwatch.StartNew();

        await AssertAcceptedAsync(await host.CallServiceAsync());
        await AssertAcceptedAsync(await host.CallServiceAsync());

        // The refresh is still hanging (it would give up only after a minute); the calls did not wait for it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Unknown_kid_while_the_jwks_endpoint_is_down_fails_closed_without_hammering_it()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        host.Jwks.Respond(JwksUrl, HttpStatusCode.ServiceUnavailable);
        host.Time.Advance(PastMinimumRefreshInterval);

        var flood = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            host.CallServiceAsync(t => t.KeyId = $"unknown-{i}")));
        var later = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            host.CallServiceAsync(t => t.KeyId = $"unknown-later-{i}")));

        foreach (var response in flood.Concat(later))
        {
            // Those that waited for the failed refetch learn the keys are unavailable; later ones that the kid is unknown.
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(
                body.Contains("\"unknown_signing_key\"", StringComparison.Ordinal) || body.Contains("\"signing_keys_unavailable\"", StringComparison.Ordinal),
                body);
        }

        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
        await AssertAcceptedAsync(await host.CallServiceAsync());

        host.Time.Advance(PastMinimumRefreshInterval);
        await host.CallServiceAsync(t => t.KeyId = "after-the-interval");
        Assert.Equal(3, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Jwks_answering_garbage_is_refused_and_the_cached_keys_kept()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        var rotated = host.Ehr.AddKey("ES384", "rotated");
        host.Jwks.Serve(JwksUrl, () => "<html><body>Service temporarily unavailable</body></html>");
        host.Time.Advance(PastMinimumRefreshInterval);

        await AssertRejectedAsync(await host.CallServiceAsync(t => t.SigningKey = rotated), EhrTokenRejection.SigningKeysUnavailable);
        await AssertAcceptedAsync(await host.CallServiceAsync());

        Assert.Contains(host.Logs.Lines, l => l.EventId.Id == JwksFetchFailedEvent && l.Message.Contains("not a JWK Set", StringComparison.Ordinal));
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Oversized_jwks_is_refused_and_the_cached_keys_kept()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        var rotated = host.Ehr.AddKey("ES384", "rotated");
        // A valid JWK Set holding the new key, padded past the size limit: the size alone is why it is refused.
        var padding = new string('x', 300 * 1024);
        host.Jwks.Serve(JwksUrl, () => host.Ehr.JwksJson.TrimEnd('}') + $",\"padding\":\"{padding}\"}}");
        host.Time.Advance(PastMinimumRefreshInterval);

        await AssertRejectedAsync(await host.CallServiceAsync(t => t.SigningKey = rotated), EhrTokenRejection.SigningKeysUnavailable);
        await AssertAcceptedAsync(await host.CallServiceAsync());

        Assert.Contains(host.Logs.Lines, l => l.EventId.Id == JwksFetchFailedEvent);
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
