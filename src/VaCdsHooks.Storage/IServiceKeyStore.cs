namespace VaCdsHooks.Storage;

/// <summary>
/// Keys the service makes for itself and all instances must share. Values arrive already protected by the host;
/// the first value stored under a name wins, so instances starting together still end up with one key.
/// </summary>
public interface IServiceKeyStore
{
    /// <summary>The protected value stored under <paramref name="name"/>, or null.</summary>
    Task<string?> FindAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="protectedValue"/> under <paramref name="name"/> unless a value is there already
    /// (insert-if-absent), and returns the stored value: this one, or the one another instance stored first.
    /// </summary>
    Task<string> GetOrAddAsync(string name, string protectedValue, DateTimeOffset now, CancellationToken cancellationToken = default);
}
