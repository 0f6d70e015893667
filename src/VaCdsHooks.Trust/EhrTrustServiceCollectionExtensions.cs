using System.Net.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Trust;

/// <summary>Registers EHR trust: options, client registry, JWK Set caches, replay cache, scheme and policy.</summary>
public static class EhrTrustServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>CdsHooks</c> from <paramref name="configuration"/> (validated at start-up), adds the
    /// <see cref="EhrJwtDefaults.AuthenticationScheme"/> JWT bearer scheme and the <see cref="EhrJwtDefaults.Policy"/>
    /// authorization policy. Endpoints then use <c>.RequireAuthorization(EhrJwtDefaults.Policy)</c> and
    /// <c>httpContext.GetEhrClient()</c>.
    /// </summary>
    public static EhrTrustBuilder AddEhrTrust(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // AddSmartBackendServices registers EHR trust too; a second registration of the scheme would throw.
        if (services.Any(descriptor => descriptor.ServiceType == typeof(EhrTrustMarker)))
        {
            return new EhrTrustBuilder(services, new AuthenticationBuilder(services), services.AddHttpClient(EhrJwtDefaults.JwksHttpClientName));
        }

        services.AddSingleton<EhrTrustMarker>();
        // BindConfiguration reads IConfiguration from the container; a host's own registration wins.
        services.TryAddSingleton(configuration);
        services.AddOptions<EhrTrustOptions>()
            .BindConfiguration(EhrJwtDefaults.ConfigurationSection)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EhrTrustOptions>, EhrTrustOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EhrClientRegistry>();
        services.TryAddSingleton<IEhrClientRegistry>(sp => sp.GetRequiredService<EhrClientRegistry>());
        services.TryAddSingleton<IJtiReplayCache, InMemoryJtiReplayCache>();
        services.TryAddSingleton<EhrJwtTokenHandler>();
        services.TryAddSingleton<EhrJwtEvents>();
        services.AddHostedService<JwksReaderWarmup>();

        var jwksClient = services.AddHttpClient(EhrJwtDefaults.JwksHttpClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<EhrTrustOptions>>().Value;
                // A failed, slow or oversized fetch is refused here and leaves the cached keys in place.
                client.Timeout = options.JwksFetchTimeout;
                client.MaxResponseContentBufferSize = RemoteKeySet.MaxJwksBytes;
                client.DefaultRequestHeaders.Accept.ParseAdd("application/jwk-set+json");
                client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect could lead key retrieval away from the configured, allow-listed URL.
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            });

        var authentication = services.AddAuthentication()
            .AddJwtBearer(EhrJwtDefaults.AuthenticationScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(EhrJwtDefaults.AuthenticationScheme)
            .Configure<EhrJwtTokenHandler>((options, handler) =>
            {
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(handler);
                options.TokenValidationParameters = EhrJwtTokenHandler.SchemeParameters;
                options.MapInboundClaims = false;
                options.SaveToken = false;
                options.IncludeErrorDetails = false;
                options.RefreshOnIssuerKeyNotFound = false;
                options.EventsType = typeof(EhrJwtEvents);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(EhrJwtDefaults.Policy, policy => policy
                .AddAuthenticationSchemes(EhrJwtDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());

        return new EhrTrustBuilder(services, authentication, jwksClient);
    }
}

/// <summary>Present once EHR trust is registered.</summary>
internal sealed class EhrTrustMarker;

/// <summary>Returned by <c>AddEhrTrust</c> for further configuration.</summary>
public sealed class EhrTrustBuilder
{
    internal EhrTrustBuilder(IServiceCollection services, AuthenticationBuilder authentication, IHttpClientBuilder jwksHttpClient)
    {
        Services = services;
        Authentication = authentication;
        JwksHttpClient = jwksHttpClient;
    }

    public IServiceCollection Services { get; }

    /// <summary>The authentication builder, for adding further schemes (for example SMART Backend Services).</summary>
    public AuthenticationBuilder Authentication { get; }

    /// <summary>The named client that fetches JWK Sets, for proxies or resilience handlers.</summary>
    public IHttpClientBuilder JwksHttpClient { get; }

    /// <summary>Replaces the in-memory replay cache, for example with one shared by all instances.</summary>
    public EhrTrustBuilder UseReplayCache<TReplayCache>()
        where TReplayCache : class, IJtiReplayCache
    {
        Services.Replace(ServiceDescriptor.Singleton<IJtiReplayCache, TReplayCache>());
        return this;
    }
}
