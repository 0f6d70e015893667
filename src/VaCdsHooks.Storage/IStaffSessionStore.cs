namespace VaCdsHooks.Storage;

/// <summary>
/// Staff sign-in sessions kept in the shared database. The cookie names a session; whether it is still alive is
/// decided here, so signing out on one instance ends the session on all of them at once.
/// </summary>
public interface IStaffSessionStore
{
    /// <summary>Starts a session for <paramref name="staffUserId"/> alive until <paramref name="expiresAt"/>; returns its new unguessable id.</summary>
    Task<string> StartAsync(string staffUserId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// One statement: when the session exists, is not ended and has not expired at <paramref name="now"/>, moves its
    /// expiry to <paramref name="expiresAt"/> and returns true; otherwise false.
    /// </summary>
    Task<bool> RenewAsync(string sessionId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Ends the session (idempotent; an unknown id is ignored).</summary>
    Task EndAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default);
}
