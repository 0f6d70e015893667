using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Storage;

/// <summary>
/// The replay cache in the database the deployment already has, so every instance (and this one after a restart)
/// refuses a token another has seen. The row key is a SHA-256 fingerprint of issuer and jti, never the token.
/// While the database cannot answer, this instance keeps refusing replays it has seen itself (in memory) rather
/// than refusing every EHR call: hooks keep answering through a database outage, and the warning says the
/// protection across instances is reduced until it is back.
/// </summary>
public sealed partial class DatabaseJtiReplayCache(
    ITokenUseStore store,
    IOptions<EhrTrustOptions> options,
    TimeProvider time,
    ILogger<DatabaseJtiReplayCache> logger) : IJtiReplayCache
{
    private readonly InMemoryJtiReplayCache _local = new(options, time);

    public async ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issuer + "\n" + jti)));

        // Always remembered here too, so a replay during a database outage is still caught by this instance.
        var firstHere = await _local.TryRecordAsync(issuer, jti, expiresAt, cancellationToken).ConfigureAwait(false);
        try
        {
            return await store.TryRecordAsync(key, expiresAt, time.GetUtcNow(), cancellationToken).ConfigureAwait(false) && firstHere;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDatabaseUnavailable(logger, ex);
            return firstHere;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay cache: the database cannot record token uses; replays are refused by this instance only until it is back")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);
}
