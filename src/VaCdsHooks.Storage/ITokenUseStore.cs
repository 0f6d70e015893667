namespace VaCdsHooks.Storage;

/// <summary>
/// One-time tokens seen by any instance sharing the database, so a token replayed to another instance (or to this
/// one after a restart) is recognised.
/// </summary>
public interface ITokenUseStore
{
    /// <summary>
    /// Records <paramref name="tokenKey"/> until <paramref name="expiresAt"/> in one statement; false when it is
    /// already recorded and not yet expired (a replay). Throws when the database cannot answer.
    /// </summary>
    Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default);
}
