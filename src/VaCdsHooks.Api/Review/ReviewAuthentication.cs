using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace VaCdsHooks.Api.Review;

/// <summary>
/// Staff authentication, kept apart from the EHR's (<c>EhrJwt</c>) and DTR's schemes: nothing here is a default
/// scheme. <see cref="Scheme"/> is a policy scheme that reads a bearer token (payer systems, when OIDC is
/// configured) or else the session cookie (browsers); the cookie is made by the local demo form or by the payer's
/// OpenID Connect provider.
/// </summary>
public static class ReviewAuthentication
{
    public const string Scheme = "Staff";
    public const string CookieScheme = "StaffCookie";
    public const string OidcScheme = "StaffOidc";
    public const string BearerScheme = "StaffBearer";

    public const string SignInPath = "/review/sign-in";
    public const string DeniedPath = "/review/denied";
    public const string ApiPrefix = "/review/api";
    public const string JobsPath = "/jobs";

    /// <summary>Claim saying how the user signed in (<c>demo</c> or <c>oidc</c>), so sign-out can also end the provider session.</summary>
    public const string ViaClaim = "vacdshooks:via";

    /// <summary>
    /// Registers the schemes and policies. Options are read when first used, after start-up validation; the bearer
    /// scheme is only forwarded to, and the OpenID Connect scheme only exists, when <c>Review:Oidc</c> is configured.
    /// </summary>
    public static void AddStaffAuthentication(this IServiceCollection services)
    {
        var authentication = services.AddAuthentication();

        authentication.AddPolicyScheme(Scheme, "Payer staff", policy =>
        {
            policy.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && http.RequestServices.GetRequiredService<ReviewOptions>().Oidc.IsConfigured
                    ? BearerScheme
                    : CookieScheme;
        });

        authentication.AddCookie(CookieScheme);
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<ReviewOptions>((cookie, options) =>
        {
            cookie.Cookie.Name = "vacdshooks.review";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.Path = "/";
            cookie.ExpireTimeSpan = options.SessionIdleTimeout;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = SignInPath;
            cookie.AccessDeniedPath = DeniedPath;
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Events = new CookieAuthenticationEvents
            {
                // Browsers are sent to the sign-in page; API clients and anything that is not a page get a status code.
                OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized),
                OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden),

                // The cookie names a server-side session; see StaffSessions.
                OnSigningIn = StaffSessions.StartAsync,
                OnValidatePrincipal = StaffSessions.ValidateAsync,
                OnSigningOut = StaffSessions.EndAsync,
            };
        });

        // The provider's scheme is added at start-up only when configured (see AddConfiguredSchemes): a remote scheme
        // takes part in every request, and one without a provider would fail them all.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        services.TryAddTransient<OpenIdConnectHandler>();
        services.AddWebEncoders();
        services.AddOptions<OpenIdConnectOptions>(OidcScheme).Configure<ReviewOptions>((o, options) =>
        {
            var oidc = options.Oidc;
            if (!oidc.IsConfigured)
            {
                return;
            }

            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.SignInScheme = CookieScheme;
            o.SignOutScheme = CookieScheme;
            o.CallbackPath = oidc.CallbackPath;
            o.SignedOutCallbackPath = oidc.SignedOutCallbackPath;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.Scope.Clear();
            foreach (var scope in oidc.EffectiveScopes)
            {
                o.Scope.Add(scope);
            }

            o.Events = new OpenIdConnectEvents
            {
                // After the user info is merged: keep only the claims the workspace uses, in our claim types.
                OnTicketReceived = context =>
                {
                    context.Principal = StaffPrincipal(context.Principal!, oidc, CookieScheme, "oidc");
                    return Task.CompletedTask;
                },
                OnRemoteFailure = context =>
                {
                    context.HandleResponse();
                    context.Response.Redirect(SignInPath + "?error=provider");
                    return Task.CompletedTask;
                },
            };
        });

        authentication.AddJwtBearer(BearerScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(BearerScheme).Configure<ReviewOptions>((bearer, options) =>
        {
            var oidc = options.Oidc;
            if (!oidc.IsConfigured)
            {
                return;
            }

            bearer.Authority = oidc.Authority;
            bearer.Audience = oidc.EffectiveAudience;
            bearer.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            bearer.MapInboundClaims = false;
            bearer.IncludeErrorDetails = false;
            bearer.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    context.Principal = StaffPrincipal(context.Principal!, oidc, BearerScheme, "bearer");
                    if (!context.Principal.HasClaim(c => c.Type == StaffRoles.UserIdClaim))
                    {
                        context.Fail($"The token has no '{oidc.UserIdClaim}' claim to identify the caller.");
                    }

                    return Task.CompletedTask;
                },
            };
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(ReviewPolicies.ReadCases, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(StaffRoles.RoleClaim, StaffRoles.Reviewer, StaffRoles.MedicalDirector))
            .AddPolicy(ReviewPolicies.Deny, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(StaffRoles.RoleClaim, StaffRoles.MedicalDirector))
            .AddPolicy(ReviewPolicies.Admin, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(StaffRoles.RoleClaim, StaffRoles.Admin));
    }

    /// <summary>Adds the OpenID Connect scheme when <c>Review:Oidc</c> is configured (options are validated by now).</summary>
    public static void AddConfiguredSchemes(IServiceProvider services)
    {
        if (services.GetRequiredService<ReviewOptions>().Oidc.IsConfigured)
        {
            services.GetRequiredService<IAuthenticationSchemeProvider>()
                .TryAddScheme(new AuthenticationScheme(OidcScheme, "Payer sign-in", typeof(OpenIdConnectHandler)));
        }
    }

    /// <summary>The provider's principal reduced to our claims: user id, name, mapped roles.</summary>
    public static ClaimsPrincipal StaffPrincipal(ClaimsPrincipal external, StaffOidcOptions oidc, string authenticationType, string via)
    {
        var identity = new ClaimsIdentity(authenticationType, StaffRoles.NameClaim, StaffRoles.RoleClaim);
        if (external.FindFirst(oidc.UserIdClaim)?.Value is { Length: > 0 } userId)
        {
            identity.AddClaim(new Claim(StaffRoles.UserIdClaim, userId));
            identity.AddClaim(new Claim(StaffRoles.NameClaim, external.FindFirst(oidc.NameClaim)?.Value ?? userId));
        }

        foreach (var role in oidc.MapRoles(external.FindAll(oidc.RoleClaim).Select(c => c.Value)))
        {
            identity.AddClaim(new Claim(StaffRoles.RoleClaim, role));
        }

        identity.AddClaim(new Claim(ViaClaim, via));
        return new ClaimsPrincipal(identity);
    }

    /// <summary>True for a browser asking for a page (not the JSON API, not a script or system).</summary>
    public static bool IsPageRequest(HttpRequest request) =>
        !request.Path.StartsWithSegments(ApiPrefix, StringComparison.OrdinalIgnoreCase)
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsPageRequest(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }
}
