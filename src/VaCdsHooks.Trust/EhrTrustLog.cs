using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Trust;

/// <summary>Log events of EHR trust. Tokens are never logged, only the reason, issuer and jti.</summary>
internal static partial class EhrTrustLog
{
    private const int MaxLoggedLength = 200;

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "EHR token rejected: {Reason}; issuer {Issuer}, jti {Jti}")]
    private static partial void TokenRejectedCore(ILogger logger, EhrTokenRejection reason, string issuer, string jti);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Fetching the JWK Set {JwksUrl} failed: {Failure}")]
    public static partial void JwksFetchFailed(ILogger logger, Uri jwksUrl, string failure);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Fetched the JWK Set {JwksUrl}: {KeyCount} usable keys")]
    public static partial void JwksFetched(ILogger logger, Uri jwksUrl, int keyCount);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "The jti replay check failed for issuer {Issuer}; the token is refused")]
    public static partial void ReplayCheckFailed(ILogger logger, Exception exception, string issuer);

    /// <summary>Logs a rejection; issuer and jti come from an unverified token, so they are shortened and cleaned.</summary>
    public static void TokenRejected(ILogger logger, EhrTokenRejection reason, string? issuer, string? jti)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            TokenRejectedCore(logger, reason, Clean(issuer), Clean(jti));
        }
    }

    /// <summary>Shortens and de-controls a value taken from an unverified token before it is logged.</summary>
    internal static string Clean(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "(none)";
        }

        var text = value.Length > MaxLoggedLength ? value[..MaxLoggedLength] + "..." : value;
        return text.Any(char.IsControl) ? new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray()) : text;
    }
}
