using System.Diagnostics;
using System.Net;
using VaCdsHooks.Testing;
using static VaCdsHooks.Trust.Tests.Support.TrustTestHost;

namespace VaCdsHooks.Trust.Tests;

/// <summary>JWK Set retrieval: cached, refreshed for an unknown kid at most once per interval, failures are 401s.</summary>
public sealed class JwksCachingTests
{
    private static readonly TimeSpan PastMinimumRefreshInterval = TimeSpan.FromSeconds(31);

    [Fact]
    public async Task Keys_are_fetched_once_and_reused_for_later_calls()
    {
        await using var host = await StartAsync();

        for (var i = 0; i < 5; i++)
        {
            await AssertAcceptedAsync(await host.CallServiceAsync(t => t.Algorithm = i % 2 == 0 ? "ES384" : "RS384"));
        }

        Assert.Equal(1, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Concurrent_first_calls_share_one_fetch()
    {
        await using var host = await StartAsync();
        host.Jwks.ResponseDelay = TimeSpan.FromMilliseconds(200);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => host.CallServiceAsync()));

        foreach (var response in responses)
        {
            await AssertAcceptedAsync(response);
        }

        Assert.Equal(1, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Unknown_kid_after_rotation_triggers_exactly_one_refetch()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        var rotated = host.Ehr.AddKey("ES384", "rotated-2025");
        host.Time.Advance(PastMinimumRefreshInterval);

        var first = await host.CallServiceAsync(t => t.SigningKey = rotated);
        var second = await host.CallServiceAsync(t => t.SigningKey = rotated);

        await AssertAcceptedAsync(first);
        await AssertAcceptedAsync(second);
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Flood_of_unknown_kids_causes_at_most_one_fetch_per_interval()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        host.Time.Advance(PastMinimumRefreshInterval);

        var flood = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            host.CallServiceAsync(t => t.KeyId = $"random-{i}-{Guid.NewGuid():N}")));
        var more = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            host.CallServiceAsync(t => t.KeyId = $"again-{i}")));

        foreach (var response in flood.Concat(more))
        {
            await AssertRejectedAsync(response, EhrTokenRejection.UnknownSigningKey);
        }

        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));

        host.Time.Advance(PastMinimumRefreshInterval);
        await AssertRejectedAsync(await host.CallServiceAsync(t => t.KeyId = "after-interval"), EhrTokenRejection.UnknownSigningKey);
        Assert.Equal(3, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Key_published_within_the_interval_is_picked_up_once_the_interval_has_passed()
    {
        await using var host = await StartAsync();
        await AssertAcceptedAsync(await host.CallServiceAsync());
        var rotated = host.Ehr.AddKey("ES384");

        var tooSoon = await host.CallServiceAsync(t => t.SigningKey = rotated);
        host.Time.Advance(PastMinimumRefreshInterval);
        var later = await host.CallServiceAsync(t => t.SigningKey = rotated);

        await AssertRejectedAsync(tooSoon, EhrTokenRejection.UnknownSigningKey);
        await AssertAcceptedAsync(later);
    }

    [Fact]
    public async Task Withdrawn_key_stops_working_after_the_background_refresh()
    {
        await using var host = await StartAsync();
        var withdrawn = host.Ehr.Es384Key;
        await AssertAcceptedAsync(await host.CallServiceAsync(t => t.SigningKey = withdrawn));
        host.Ehr.Unpublish(withdrawn);
        host.Time.Advance(TimeSpan.FromMinutes(11));

        // Served from the stale cache while the refresh runs in the background.
        await AssertAcceptedAsync(await host.CallServiceAsync(t => t.SigningKey = withdrawn));
        await WaitUntilAsync(() => host.Jwks.FetchCount(JwksUrl) == 2);

        // The fetch has started; poll until its result replaces the cached set (no further fetch is allowed meanwhile).
        HttpResponseMessage afterRefresh;
        var deadline = Stopwatch.StartNew();
        do
        {
            afterRefresh = await host.CallServiceAsync(t => t.SigningKey = withdrawn);
        }
        while (afterRefresh.StatusCode == HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(10));

        await AssertRejectedAsync(afterRefresh, EhrTokenRejection.UnknownSigningKey);
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
        await AssertAcceptedAsync(await host.CallServiceAsync(t => t.SigningKey = host.Ehr.Rs384Key));
    }

    [Fact]
    public async Task Jwks_endpoint_error_yields_401()
    {
        await using var host = await StartAsync();
        host.Jwks.Respond(JwksUrl, HttpStatusCode.InternalServerError);

        var response = await host.CallServiceAsync();

        await AssertRejectedAsync(response, EhrTokenRejection.SigningKeysUnavailable);
    }

    [Fact]
    public async Task Jwks_that_is_not_json_yields_401()
    {
        await using var host = await StartAsync();
        host.Jwks.Serve(JwksUrl, () => "<html>maintenance</html>");

        var response = await host.CallServiceAsync();

        await AssertRejectedAsync(response, EhrTokenRejection.SigningKeysUnavailable);
    }

    [Fact]
    public async Task Jwks_endpoint_that_never_answers_yields_401_within_the_fetch_timeout()
    {
        await using var host = await StartAsync((settings, _) => settings["JwksFetchTimeout"] = "00:00:00.300");
        host.Jwks.Hang(JwksUrl);
        var clock = Stopwatch.StartNew();

        var response = await host.CallServiceAsync();

        await AssertRejectedAsync(response, EhrTokenRejection.SigningKeysUnavailable);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Failed_fetch_is_not_retried_before_the_interval_then_recovers()
    {
        await using var host = await StartAsync();
        host.Jwks.Respond(JwksUrl, HttpStatusCode.ServiceUnavailable);

        await AssertRejectedAsync(await host.CallServiceAsync(), EhrTokenRejection.SigningKeysUnavailable);
        await AssertRejectedAsync(await host.CallServiceAsync(), EhrTokenRejection.SigningKeysUnavailable);
        Assert.Equal(1, host.Jwks.FetchCount(JwksUrl));

        host.Jwks.Serve(JwksUrl, host.Ehr);
        host.Time.Advance(PastMinimumRefreshInterval);
        await AssertAcceptedAsync(await host.CallServiceAsync());
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Jwks_holding_only_a_symmetric_key_yields_no_usable_key()
    {
        await using var host = await StartAsync();
        host.Jwks.Serve(JwksUrl, () => """{"keys":[{"kty":"oct","kid":"shared","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}""");

        var response = await host.CallServiceAsync(t =>
        {
            t.Algorithm = "HS256";
            t.KeyId = "shared";
            t.HmacSecret = "secret-secret-secret-secret"u8.ToArray();
        });

        await AssertRejectedAsync(response, EhrTokenRejection.UnsupportedAlgorithm);
        Assert.Equal(0, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Rsa_key_shorter_than_2048_bits_is_not_used()
    {
        await using var host = await StartAsync();
        using var weak = EhrTestKey.Create("RS384", "weak-rsa", rsaKeyBits: 1024);
        host.Jwks.Serve(JwksUrl, () => EhrTokenFactory.CreateJwks([weak, host.Ehr.Es384Key]));

        var response = await host.CallServiceAsync(t => t.SigningKey = weak);

        await AssertRejectedAsync(response, EhrTokenRejection.UnknownSigningKey);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
