using System.Data.Common;

namespace VaCdsHooks.Api.Storage;

/// <summary>Recognises "the database cannot answer right now" (down, unreachable, timing out), as opposed to a bug.</summary>
public static class StorageFailure
{
    /// <summary>What a refused write tells the client to wait before trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>True when the exception or one it wraps (EF Core wraps provider errors) comes from the database connection.</summary>
    public static bool Is(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets <c>Retry-After</c> on a 503 answer.</summary>
    public static void AdviseRetry(HttpResponse response) =>
        response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
