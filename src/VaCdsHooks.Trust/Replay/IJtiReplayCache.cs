namespace VaCdsHooks.Trust;

/// <summary>
/// Remembers the <c>jti</c> of every accepted EHR token until it expires, so a captured token cannot be replayed
/// (CDS Hooks 2.0: <c>jti</c> "used to protect against replay attacks"). Replace the in-memory default with a
/// shared store when several instances serve the same EHRs.
/// </summary>
public interface IJtiReplayCache
{
    /// <summary>
    /// Records <paramref name="jti"/> of <paramref name="issuer"/> until <paramref name="expiresAt"/>.
    /// Returns false when it is already recorded and not yet expired (a replay). Throws when the cache cannot
    /// decide; the token is then refused.
    /// </summary>
    ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}

/// <summary>Thrown when the replay cache cannot record a token, for example because it is full.</summary>
public sealed class JtiReplayCacheUnavailableException : Exception
{
    public JtiReplayCacheUnavailableException()
        : base("The jti replay cache cannot record the token.")
    {
    }

    public JtiReplayCacheUnavailableException(string message)
        : base(message)
    {
    }

    public JtiReplayCacheUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
