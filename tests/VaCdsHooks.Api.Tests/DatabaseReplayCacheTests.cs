using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.Storage;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Tests;

/// <summary>The shared replay cache, and what it does while the database is down.</summary>
public class DatabaseReplayCacheTests
{
    private static readonly DateTimeOffset Expires = DateTimeOffset.UtcNow.AddMinutes(5);

    private static DatabaseJtiReplayCache Cache(ITokenUseStore store) =>
        new(store, Options.Create(new EhrTrustOptions()), TimeProvider.System, NullLogger<DatabaseJtiReplayCache>.Instance);

    [Fact]
    public async Task A_token_another_instance_recorded_is_a_replay_here()
    {
        var cache = Cache(new SeenEverywhere());

        Assert.False(await cache.TryRecordAsync("https://ehr.example.org", "jti-1", Expires, CancellationToken.None));
    }

    [Fact]
    public async Task While_the_database_is_down_a_new_token_is_accepted_and_its_replay_here_refused()
    {
        var cache = Cache(new DatabaseDown());

        Assert.True(await cache.TryRecordAsync("https://ehr.example.org", "jti-2", Expires, CancellationToken.None));
        Assert.False(await cache.TryRecordAsync("https://ehr.example.org", "jti-2", Expires, CancellationToken.None));
    }

    [Fact]
    public async Task The_database_never_holds_the_token_itself()
    {
        var store = new Recording();
        await Cache(store).TryRecordAsync("https://ehr.example.org", "jti-secret-value", Expires, CancellationToken.None);

        var key = Assert.Single(store.Keys);
        Assert.DoesNotContain("jti-secret-value", key, StringComparison.Ordinal);
        Assert.Equal(64, key.Length);
    }

    private sealed class SeenEverywhere : ITokenUseStore
    {
        public Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default) => Task.FromResult(false);
    }

    private sealed class DatabaseDown : ITokenUseStore
    {
        public Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("connection refused");
    }

    private sealed class Recording : ITokenUseStore
    {
        public List<string> Keys { get; } = [];

        public Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            Keys.Add(tokenKey);
            return Task.FromResult(true);
        }
    }
}
