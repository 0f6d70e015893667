using System.Security.Cryptography;
using System.Text;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Storage;

/// <summary>
/// The replay cache in the database the deployment already has, so every instance (and this one after a restart)
/// refuses a token another has seen. The row key is a SHA-256 fingerprint of issuer and jti, never the token.
/// When the database cannot answer, the token is refused (fail closed).
/// </summary>
public sealed class DatabaseJtiReplayCache(ITokenUseStore store, TimeProvider time) : IJtiReplayCache
{
    public async ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issuer + "\n" + jti)));
        try
        {
            return await store.TryRecordAsync(key, expiresAt, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new JtiReplayCacheUnavailableException("The replay cache in the database could not record the token.", ex);
        }
    }
}
