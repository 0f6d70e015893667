using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>Registers the SMART Backend Services token service and the <c>DtrBearer</c> scheme for the DTR FHIR endpoints.</summary>
public static class SmartBackendServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>BackendServices</c> at start-up, registers EHR trust (<c>AddEhrTrust</c>; calling both is
    /// fine, in either order) whose <c>CdsHooks:Clients</c> are the DTR clients, adds the
    /// <see cref="SmartBackendDefaults.AuthenticationScheme"/> JWT bearer scheme and the <see cref="SmartBackendPolicies"/>.
    /// No default scheme is set, so the <c>EhrJwt</c> scheme and any host scheme keep working as they did. Then map the
    /// token and discovery endpoints with <c>MapSmartBackendServices()</c>.
    /// </summary>
    public static IServiceCollection AddSmartBackendServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(descriptor => descriptor.ServiceType == typeof(SmartBackendMarker)))
        {
            return services;
        }

        services.AddSingleton<SmartBackendMarker>();
        services.AddEhrTrust(configuration);

        // BindConfiguration reads IConfiguration from the container; a host's own registration wins.
        services.TryAddSingleton(configuration);
        services.AddOptions<SmartBackendOptions>()
            .BindConfiguration(SmartBackendDefaults.ConfigurationSection)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmartBackendOptions>, SmartBackendOptionsValidator>());

        services.TryAddSingleton(CreateSigningKey);
        // Loads (or generates) the key while the host starts, so its log line appears at boot, not at the first request.
        services.AddHostedService<SigningKeyLoader>();
        services.TryAddSingleton<ClientAssertionValidator>();
        services.TryAddSingleton<AccessTokenIssuer>();
        services.TryAddSingleton<SmartTokenEndpoint>();
        services.TryAddSingleton<SmartConfigurationDocument>();
        services.TryAddSingleton<SmartBackendBearerEvents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, SmartScopeAuthorizationHandler>());

        services.AddAuthentication().AddJwtBearer(SmartBackendDefaults.AuthenticationScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(SmartBackendDefaults.AuthenticationScheme)
            .Configure<AccessTokenSigningKey, AccessTokenIssuer, IOptions<EhrTrustOptions>, TimeProvider>((options, key, issuer, trust, time) =>
            {
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(new JsonWebTokenHandler
                {
                    MapInboundClaims = false,
                    MaximumTokenSizeInBytes = SmartBackendDefaults.MaxTokenRequestBytes,
                });
                options.TokenValidationParameters = AccessTokenValidation(key, issuer, trust.Value.ClockSkew, time);
                options.MapInboundClaims = false;
                options.SaveToken = false;
                options.IncludeErrorDetails = false;
                options.RefreshOnIssuerKeyNotFound = false;
                options.EventsType = typeof(SmartBackendBearerEvents);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(SmartBackendPolicies.Client, policy => policy
                .AddAuthenticationSchemes(SmartBackendDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(SmartBackendPolicies.ReadQuestionnaires, policy => policy.RequireSmartScope("Questionnaire", "r"))
            .AddPolicy(SmartBackendPolicies.ReadValueSets, policy => policy.RequireSmartScope("ValueSet", "r"))
            .AddPolicy(SmartBackendPolicies.ReadLibraries, policy => policy.RequireSmartScope("Library", "r"))
            .AddPolicy(SmartBackendPolicies.ReadClaimResponses, policy => policy.RequireSmartScope("ClaimResponse", "r"))
            .AddPolicy(SmartBackendPolicies.WriteQuestionnaireResponses, policy => policy.RequireSmartScope("QuestionnaireResponse", "c"));

        return services;
    }

    /// <summary>Only tokens this service issued: its key and algorithm, its issuer, the FHIR audience, typ at+jwt.</summary>
    private static TokenValidationParameters AccessTokenValidation(AccessTokenSigningKey key, AccessTokenIssuer issuer, TimeSpan clockSkew, TimeProvider time) => new()
    {
        ValidateIssuer = true,
        ValidIssuer = issuer.Issuer,
        ValidateAudience = true,
        ValidAudience = issuer.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = clockSkew,
        // The issuer stamps times from TimeProvider, so expiry is judged by the same clock.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (expires is not { } expiry)
            {
                throw new SecurityTokenNoExpirationException("The access token has no exp.");
            }

            if (now >= expiry + clockSkew)
            {
                throw new SecurityTokenExpiredException("The access token has expired.") { Expires = expiry };
            }

            if (notBefore is { } start && start > now + clockSkew)
            {
                throw new SecurityTokenNotYetValidException("The access token is not valid yet.") { NotBefore = start };
            }

            return true;
        },
        RequireSignedTokens = true,
        IssuerSigningKey = key.Key,
        ValidAlgorithms = [key.Algorithm],
        TryAllIssuerSigningKeys = false,
        ValidTypes = [SmartBackendDefaults.AccessTokenType],
        ValidateIssuerSigningKey = false,
        ValidateTokenReplay = false,
        SaveSigninToken = false,
        NameClaimType = "client_id",
        AuthenticationType = SmartBackendDefaults.AuthenticationScheme,
    };

    private static AccessTokenSigningKey CreateSigningKey(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SmartBackendOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccessTokenSigningKey).FullName!);
        var text = SmartBackendOptionsValidator.ReadKeyText(options, services.GetService<IHostEnvironment>(), out var source, out var problem);
        if (text is null)
        {
            if (problem is not null)
            {
                throw new InvalidOperationException($"{SmartBackendDefaults.ConfigurationSection}:{source} {problem}.");
            }

            var generated = AccessTokenSigningKey.Generate(options.SigningKeyId);
            SmartBackendLog.EphemeralSigningKey(logger, generated.Algorithm, generated.KeyId);
            return generated;
        }

        var key = AccessTokenSigningKey.TryRead(text, options.SigningKeyId, out problem)
            ?? throw new InvalidOperationException($"{SmartBackendDefaults.ConfigurationSection}:{source} {problem}.");
        SmartBackendLog.ConfiguredSigningKey(logger, key.Algorithm, key.KeyId);
        return key;
    }
}

/// <summary>Present once SMART Backend Services are registered.</summary>
internal sealed class SmartBackendMarker;

/// <summary>Takes the signing key as a dependency only to have it created during start-up.</summary>
internal sealed class SigningKeyLoader : IHostedService
{
    public SigningKeyLoader(AccessTokenSigningKey key) => ArgumentNullException.ThrowIfNull(key);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
