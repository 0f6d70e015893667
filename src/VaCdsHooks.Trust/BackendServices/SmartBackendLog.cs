using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Trust;

/// <summary>
/// Log events of the DTR token service and bearer scheme. Ids and reasons only: assertions and access tokens are
/// never logged, and values read from an unverified assertion are shortened and cleaned first.
/// </summary>
internal static partial class SmartBackendLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "DTR access token issued to client {ClientId}: scope '{Scope}', expires in {ExpiresIn} s, token jti {TokenJti}, assertion jti {AssertionJti}")]
    public static partial void TokenIssued(ILogger logger, string clientId, string scope, int expiresIn, string tokenJti, string assertionJti);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "DTR token request refused ({Error}): {Reason}; client {ClientId}, assertion jti {AssertionJti}")]
    private static partial void TokenRequestRefusedCore(ILogger logger, string error, TokenRequestRefusal reason, string clientId, string assertionJti);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "No BackendServices signing key is configured; generated an ephemeral {Algorithm} key {KeyId}. DTR access tokens die with this process and are not accepted by other instances.")]
    public static partial void EphemeralSigningKey(ILogger logger, string algorithm, string keyId);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "DTR access token rejected: {Reason}")]
    public static partial void AccessTokenRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Information, Message = "DTR client {ClientId} lacks scope {RequiredScope} for {Path}")]
    public static partial void ScopeMissing(ILogger logger, string clientId, string requiredScope, string path);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "The jti replay check failed for DTR client {ClientId}; the token request is refused")]
    public static partial void ReplayCheckFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "Access tokens for the DTR FHIR endpoints are signed with {Algorithm} key {KeyId}")]
    public static partial void ConfiguredSigningKey(ILogger logger, string algorithm, string keyId);

    public static void TokenRequestRefused(ILogger logger, TokenRequestRefusal reason, string? clientId, string? assertionJti)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            TokenRequestRefusedCore(logger, TokenRequestRefusals.Error(reason), reason, EhrTrustLog.Clean(clientId), EhrTrustLog.Clean(assertionJti));
        }
    }
}
