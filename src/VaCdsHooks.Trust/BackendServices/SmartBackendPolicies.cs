using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Trust;

/// <summary>
/// Authorization policies for the DTR FHIR endpoints. Each authenticates with
/// <see cref="SmartBackendDefaults.AuthenticationScheme"/> and checks the token's granted scopes; a valid token without
/// the scope gets a 403 OperationOutcome.
/// <code>
/// fhir.MapGet("/Questionnaire/{id}", Read).RequireAuthorization(SmartBackendPolicies.ReadQuestionnaires);
/// fhir.MapPost("/QuestionnaireResponse", Submit).RequireAuthorization(SmartBackendPolicies.WriteQuestionnaireResponses);
/// </code>
/// </summary>
public static class SmartBackendPolicies
{
    /// <summary>Any valid DTR access token, whatever its scopes.</summary>
    public const string Client = "DtrClient";

    /// <summary>Read Questionnaires: <c>system/Questionnaire.r</c> (granted by <c>.rs</c> or v1 <c>.read</c>).</summary>
    public const string ReadQuestionnaires = "DtrReadQuestionnaires";

    /// <summary>Read ValueSets: <c>system/ValueSet.r</c>.</summary>
    public const string ReadValueSets = "DtrReadValueSets";

    /// <summary>Read Libraries: <c>system/Library.r</c>.</summary>
    public const string ReadLibraries = "DtrReadLibraries";

    /// <summary>Submit QuestionnaireResponses: <c>system/QuestionnaireResponse.c</c> (granted by <c>.cu</c> or v1 <c>.write</c>).</summary>
    public const string WriteQuestionnaireResponses = "DtrWriteQuestionnaireResponses";

    /// <summary>Read the prior-authorization status of cases: <c>system/ClaimResponse.r</c>.</summary>
    public const string ReadClaimResponses = "DtrReadClaimResponses";

    /// <summary>
    /// Requires a DTR access token whose scopes permit every interaction in <paramref name="interactions"/> (an
    /// in-order subset of <c>cruds</c>, e.g. <c>"r"</c> or <c>"cu"</c>) on <paramref name="resourceType"/>.
    /// </summary>
    public static AuthorizationPolicyBuilder RequireSmartScope(this AuthorizationPolicyBuilder policy, string resourceType, string interactions)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        ArgumentException.ThrowIfNullOrEmpty(interactions);
        if (!SmartScope.TryParse($"system/{resourceType}.{interactions}", out var scope) || scope.IsV1 || scope.ResourceType == SmartScope.Wildcard)
        {
            throw new ArgumentException($"'{resourceType}.{interactions}' is not a resource type with an in-order subset of 'cruds'.", nameof(interactions));
        }

        return policy
            .AddAuthenticationSchemes(SmartBackendDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new SmartScopeRequirement(scope.ResourceType, scope.Permissions));
    }
}

/// <summary>The interactions a DTR access token must permit on one resource type.</summary>
internal sealed class SmartScopeRequirement(string resourceType, SmartPermissions permissions) : IAuthorizationRequirement
{
    public string ResourceType { get; } = resourceType;

    public SmartPermissions Permissions { get; } = permissions;

    public string Scope => $"system/{ResourceType}.{SmartScope.FormatV2(Permissions)}";
}

/// <summary>Checks <see cref="SmartScopeRequirement"/> against the scopes of the <c>DtrBearer</c> identity only.</summary>
internal sealed class SmartScopeAuthorizationHandler(ILogger<SmartScopeAuthorizationHandler> logger) : AuthorizationHandler<SmartScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SmartScopeRequirement requirement)
    {
        // Another scheme's identity may carry a "scope" claim of its own; only the DTR token's scopes count here.
        var identity = context.User.Identities.FirstOrDefault(i =>
            i.IsAuthenticated && string.Equals(i.AuthenticationType, SmartBackendDefaults.AuthenticationScheme, StringComparison.Ordinal));
        var granted = SmartScopeGrants.PermissionsFor(identity?.FindFirst("scope")?.Value, requirement.ResourceType);
        if ((granted & requirement.Permissions) == requirement.Permissions)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (identity is not null && context.Resource is HttpContext http)
        {
            http.Items.TryAdd(SmartBackendBearerEvents.MissingScopeItem, requirement.Scope);
            SmartBackendLog.ScopeMissing(logger, identity.FindFirst("client_id")?.Value ?? "(none)", requirement.Scope, http.Request.Path.Value ?? string.Empty);
        }

        return Task.CompletedTask;
    }
}
