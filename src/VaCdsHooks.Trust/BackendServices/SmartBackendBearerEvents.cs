using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using IssueType = Hl7.Fhir.Model.OperationOutcome.IssueType;

namespace VaCdsHooks.Trust;

/// <summary>The DTR client behind a request authenticated by <see cref="SmartBackendDefaults.AuthenticationScheme"/>.</summary>
internal sealed record DtrClientFeature(EhrClientRegistration Client, string Scope);

/// <summary>
/// Events of the <c>DtrBearer</c> scheme: ties a valid token to its registered client, and answers 401 and 403 with a
/// FHIR OperationOutcome, as a FHIR endpoint should. Resolved from DI through <c>EventsType</c>, so a host replacing
/// <c>JwtBearerOptions.Events</c> cannot drop these.
/// </summary>
internal sealed class SmartBackendBearerEvents(EhrClientRegistry registry, ILogger<SmartBackendBearerEvents> logger) : JwtBearerEvents
{
    /// <summary>Where the scope handler leaves the scope a refused request lacked, for the 403 challenge.</summary>
    internal const string MissingScopeItem = "VaCdsHooks.Trust.DtrMissingScope";

    public override Task TokenValidated(TokenValidatedContext context)
    {
        var jwt = (JsonWebToken)context.SecurityToken;
        jwt.TryGetPayloadValue<string>("client_id", out var clientId);
        jwt.TryGetPayloadValue<string>("scope", out var scope);

        // A client removed from configuration loses access at once, not when its last token expires.
        if (string.IsNullOrEmpty(clientId)
            || !string.Equals(jwt.Subject, clientId, StringComparison.Ordinal)
            || registry.FindTrustedByClientId(clientId) is not { } client)
        {
            SmartBackendLog.AccessTokenRejected(logger, "client not registered");
            context.Fail(new SecurityTokenValidationException("The access token's client is not registered."));
            return Task.CompletedTask;
        }

        context.HttpContext.Features.Set(new DtrClientFeature(client.Registration, scope ?? string.Empty));
        return Task.CompletedTask;
    }

    public override Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        SmartBackendLog.AccessTokenRejected(logger, context.Exception.GetType().Name);
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

        var (issueType, diagnostics, error) = context.AuthenticateFailure switch
        {
            null => (IssueType.Login, "The request carries no bearer token; get one from the SMART Backend Services token endpoint.", null),
            SecurityTokenExpiredException => (IssueType.Expired, "The access token has expired; request a new one.", "invalid_token"),
            _ => (IssueType.Login, "The access token is not valid here.", "invalid_token"),
        };

        // RFC 6750 section 3.1: no error code when no credentials were sent.
        response.Headers.WWWAuthenticate = error is null ? "Bearer" : $"Bearer error=\"{error}\"";
        await FhirOutcomeResponses.WriteAsync(response, StatusCodes.Status401Unauthorized, issueType, diagnostics);
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        var missing = context.HttpContext.Items[MissingScopeItem] as string;
        // RFC 6750 section 3.1: insufficient_scope, naming the scope needed when it is known.
        response.Headers.WWWAuthenticate = missing is null
            ? "Bearer error=\"insufficient_scope\""
            : $"Bearer error=\"insufficient_scope\", scope=\"{missing}\"";
        var diagnostics = missing is null
            ? "The access token does not grant this interaction."
            : $"The access token does not grant {missing}.";
        await FhirOutcomeResponses.WriteAsync(response, StatusCodes.Status403Forbidden, IssueType.Forbidden, diagnostics);
    }
}
