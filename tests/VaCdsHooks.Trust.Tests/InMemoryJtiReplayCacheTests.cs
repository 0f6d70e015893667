using Microsoft.Extensions.Options;
using VaCdsHooks.Trust.Tests.Support;

namespace VaCdsHooks.Trust.Tests;

/// <summary>The default replay cache: a jti is accepted once per issuer until its token expires; memory is bounded.</summary>
public sealed class InMemoryJtiReplayCacheTests
{
    private const string Issuer = "https://ehr.example.com";

    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task First_use_is_recorded_and_second_use_is_a_replay()
    {
        var cache = CreateCache();
        var expires = _time.GetUtcNow().AddMinutes(2);

        Assert.True(await cache.TryRecordAsync(Issuer, "jti-1", expires, default));
        Assert.False(await cache.TryRecordAsync(Issuer, "jti-1", expires, default));
    }

    [Fact]
    public async Task Same_jti_from_two_issuers_is_not_a_replay()
    {
        var cache = CreateCache();
        var expires = _time.GetUtcNow().AddMinutes(2);

        Assert.True(await cache.TryRecordAsync(Issuer, "shared-jti", expires, default));
        Assert.True(await cache.TryRecordAsync("https://other-ehr.example.org", "shared-jti", expires, default));
    }

    [Fact]
    public async Task Jti_is_free_again_once_its_token_has_expired()
    {
        var cache = CreateCache();
        Assert.True(await cache.TryRecordAsync(Issuer, "jti-1", _time.GetUtcNow().AddMinutes(2), default));

        _time.Advance(TimeSpan.FromMinutes(3));

        Assert.True(await cache.TryRecordAsync(Issuer, "jti-1", _time.GetUtcNow().AddMinutes(2), default));
    }

    [Fact]
    public async Task Expired_entries_are_removed_as_new_ones_arrive()
    {
        var cache = CreateCache();
        for (var i = 0; i < 100; i++)
        {
            await cache.TryRecordAsync(Issuer, $"old-{i}", _time.GetUtcNow().AddMinutes(1), default);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        await cache.TryRecordAsync(Issuer, "new", _time.GetUtcNow().AddMinutes(1), default);

        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Full_cache_refuses_new_tokens_instead_of_forgetting_live_ones()
    {
        var cache = CreateCache(capacity: 1_000);
        var expires = _time.GetUtcNow().AddMinutes(2);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(await cache.TryRecordAsync(Issuer, $"jti-{i}", expires, default));
        }

        await Assert.ThrowsAsync<JtiReplayCacheUnavailableException>(async () =>
            await cache.TryRecordAsync(Issuer, "one-too-many", expires, default));
        Assert.False(await cache.TryRecordAsync(Issuer, "jti-0", expires, default));

        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(await cache.TryRecordAsync(Issuer, "one-too-many", _time.GetUtcNow().AddMinutes(2), default));
    }

    [Fact]
    public async Task Concurrent_uses_of_one_jti_accept_exactly_one()
    {
        var cache = CreateCache();
        var expires = _time.GetUtcNow().AddMinutes(2);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ =>
            Task.Run(async () => await cache.TryRecordAsync(Issuer, "contended", expires, default))));

        Assert.Single(outcomes, accepted => accepted);
    }

    private InMemoryJtiReplayCache CreateCache(int capacity = 100_000) =>
        new(Options.Create(new EhrTrustOptions { ReplayCacheCapacity = capacity }), _time);
}
