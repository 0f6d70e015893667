namespace VaCdsHooks.Trust;

/// <summary>Outcome of looking a <c>kid</c> up in an EHR's JWK Set.</summary>
internal enum KeyLookupStatus
{
    Found,
    UnknownKeyId,
    KeysUnavailable,
}

internal readonly record struct KeyLookup(KeyLookupStatus Status, EhrVerificationKey? Key)
{
    public static KeyLookup Unknown { get; } = new(KeyLookupStatus.UnknownKeyId, null);

    public static KeyLookup Unavailable { get; } = new(KeyLookupStatus.KeysUnavailable, null);

    public static KeyLookup Of(EhrVerificationKey? key, bool keysAvailable) =>
        key is not null ? new(KeyLookupStatus.Found, key) : keysAvailable ? Unknown : Unavailable;
}

/// <summary>Where an EHR's verification keys come from: configuration or a JWK Set URL.</summary>
internal abstract class EhrKeySet
{
    /// <summary>Finds the key, fetching the JWK Set when allowed; completes synchronously when the key is cached.</summary>
    public abstract ValueTask<KeyLookup> FindAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The key as currently cached, without any I/O; used inside synchronous signature validation.</summary>
    public abstract EhrVerificationKey? FindCached(string keyId);
}

/// <summary>A JWK Set given inline in configuration; never fetched.</summary>
internal sealed class InlineKeySet(KeySnapshot snapshot) : EhrKeySet
{
    public override ValueTask<KeyLookup> FindAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(KeyLookup.Of(snapshot.Find(keyId), keysAvailable: true));

    public override EhrVerificationKey? FindCached(string keyId) => snapshot.Find(keyId);
}
