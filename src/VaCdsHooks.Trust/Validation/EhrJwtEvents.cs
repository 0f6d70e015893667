using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace VaCdsHooks.Trust;

/// <summary>
/// The request-dependent checks (audience from the request path, tenant, jti replay), logging of refusals and the
/// 401 problem response. Resolved from DI through <c>EventsType</c>, so a host cannot drop these checks by
/// replacing <c>JwtBearerOptions.Events</c>.
/// </summary>
internal sealed class EhrJwtEvents : JwtBearerEvents
{
    private const string FeedbackSuffix = "/feedback";
    private const string ServicesPrefix = "/cds-services/";
    private const string ProblemType = "https://cds-hooks.hl7.org/2.0/#trusting-cds-clients";

    private readonly EhrClientRegistry _registry;
    private readonly IJtiReplayCache _replayCache;
    private readonly ILogger<EhrJwtEvents> _logger;
    private readonly string _publicBaseUrl;
    private readonly TimeSpan _clockSkew;

    public EhrJwtEvents(EhrClientRegistry registry, IJtiReplayCache replayCache, IOptions<EhrTrustOptions> options, ILogger<EhrJwtEvents> logger)
    {
        _registry = registry;
        _replayCache = replayCache;
        _logger = logger;
        _publicBaseUrl = NormalizeBaseUrl(options.Value.PublicBaseUrl!);
        _clockSkew = options.Value.ClockSkew;
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var jwt = (JsonWebToken)context.SecurityToken;
        var issuer = jwt.Issuer;
        var jti = jwt.Id;
        if (_registry.FindTrusted(issuer) is not { } client)
        {
            Refuse(context, EhrTokenRejection.UnknownIssuer, issuer, jti);
            return;
        }

        if (!AudienceMatches(jwt.Audiences, context.Request.Path.Value))
        {
            Refuse(context, EhrTokenRejection.WrongAudience, issuer, jti);
            return;
        }

        // One tenant, as a string: an array (read as several claims) is not judged by whichever value comes first.
        // Claims are only materialized for registrations bound to a tenant.
        if (client.Registration.Tenant is { } expectedTenant
            && jwt.Claims.Where(c => c.Type == "tenant").ToList() is { Count: > 0 } tenants
            && (tenants.Count != 1 || !string.Equals(tenants[0].Value, expectedTenant, StringComparison.Ordinal)))
        {
            Refuse(context, EhrTokenRejection.TenantMismatch, issuer, jti);
            return;
        }

        // Recorded last, after every other check passed, so a refused token does not consume its jti.
        EhrJwtTokenHandler.TryGetNumericDate(jwt, JwtRegisteredClaimNames.Exp, out var expires);
        bool firstUse;
        try
        {
            firstUse = await _replayCache.TryRecordAsync(client.Registration.Issuer, jti, expires + _clockSkew, context.HttpContext.RequestAborted);
        }
        catch (Exception ex)
        {
            // A replay store that cannot answer must not let the token through, nor turn into a 500.
            EhrTrustLog.ReplayCheckFailed(_logger, ex, client.Registration.Issuer);
            Refuse(context, EhrTokenRejection.ReplayCheckUnavailable, issuer, jti);
            return;
        }

        if (!firstUse)
        {
            Refuse(context, EhrTokenRejection.Replayed, issuer, jti);
            return;
        }

        context.HttpContext.Features.Set(client.Registration);
    }

    public override Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        var rejected = context.Exception as EhrTokenRejectedException;
        EhrTrustLog.TokenRejected(_logger, rejected?.Rejection ?? EhrTokenRejection.InvalidToken, rejected?.Issuer, rejected?.Jti);
        // Settling the result here means even an unexpected validation error ends as a 401, never a 500.
        context.Fail(context.Exception);
        return Task.CompletedTask;
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        var rejection = context.AuthenticateFailure switch
        {
            null => EhrTokenRejection.MissingToken,
            EhrTokenRejectedException rejected => rejected.Rejection,
            _ => EhrTokenRejection.InvalidToken,
        };

        response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750 section 3.1: a request without credentials gets no error code; a bad token gets invalid_token.
        response.Headers.WWWAuthenticate = rejection == EhrTokenRejection.MissingToken ? "Bearer" : "Bearer error=\"invalid_token\"";
        response.Headers.CacheControl = "no-store";

        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Unauthorized",
            Type = ProblemType,
            Detail = EhrTokenRejections.Describe(rejection),
        };
        problem.Extensions["reason"] = EhrTokenRejections.Code(rejection);
        await TypedResults.Problem(problem).ExecuteAsync(context.HttpContext);
    }

    private void Refuse(TokenValidatedContext context, EhrTokenRejection rejection, string? issuer, string? jti)
    {
        EhrTrustLog.TokenRejected(_logger, rejection, issuer, jti);
        context.Fail(new EhrTokenRejectedException(rejection, issuer, jti));
    }

    /// <summary>
    /// CDS Hooks 2.0: <c>aud</c> is the URL of the endpoint being invoked. That is <c>{PublicBaseUrl}{path}</c>; for
    /// <c>/cds-services/{id}/feedback</c> the service URL <c>/cds-services/{id}</c> is accepted as well, since EHRs
    /// commonly reuse the service's audience for its feedback.
    /// </summary>
    internal bool AudienceMatches(IEnumerable<string> audiences, string? requestPath)
    {
        var path = TrimTrailingSlash((requestPath ?? string.Empty).AsSpan());
        var servicePath = ReadOnlySpan<char>.Empty;
        if (path.StartsWith(ServicesPrefix, StringComparison.Ordinal) && path.EndsWith(FeedbackSuffix, StringComparison.Ordinal))
        {
            var candidate = path[..^FeedbackSuffix.Length];
            if (candidate.Length > ServicesPrefix.Length && candidate[ServicesPrefix.Length..].IndexOf('/') < 0)
            {
                servicePath = candidate;
            }
        }

        foreach (var audience in audiences)
        {
            var value = TrimTrailingSlash(audience.AsSpan());
            // Scheme and host compare case-insensitively; the path part is compared exactly.
            if (!value.StartsWith(_publicBaseUrl, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var audiencePath = value[_publicBaseUrl.Length..];
            if (audiencePath.SequenceEqual(path) || (!servicePath.IsEmpty && audiencePath.SequenceEqual(servicePath)))
            {
                return true;
            }
        }

        return false;
    }

    internal static string NormalizeBaseUrl(string publicBaseUrl)
    {
        var uri = new Uri(publicBaseUrl, UriKind.Absolute);
        return $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath.TrimEnd('/')}";
    }

    private static ReadOnlySpan<char> TrimTrailingSlash(ReadOnlySpan<char> value) =>
        value.Length > 0 && value[^1] == '/' ? value[..^1] : value;
}
