using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Api.Ehr;
using VaCdsHooks.Api.Hosting;
using VaCdsHooks.Api.Jobs;
using VaCdsHooks.Api.Review;
using VaCdsHooks.Api.Storage;
using VaCdsHooks.Api.Telemetry;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Composition;

/// <summary>Program.cs as a table of contents: each area registers itself here.</summary>
public static class VaCdsHooksComposition
{
    public static WebApplicationBuilder AddVaCdsHooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        services.AddProblemDetails();
        services.AddEdgeHardening();
        services.AddOpenApi();
        services.AddSingleton(TimeProvider.System);
        services.AddVaCdsHooksTelemetry();

        services.AddCdsHooksEndpoints();
        services.AddCoverageEngine();
        // Replayed tokens are recognised by every instance sharing the database, and after a restart.
        services.AddEhrTrust(configuration).UseReplayCache<DatabaseJtiReplayCache>();
        services.AddVaCdsHooksStorage(configuration, builder.Environment.ContentRootPath);
        // Data-protection keys and the DTR access-token key in the database too: any instance can serve any request.
        services.AddSharedInstanceState();
        services.AddSingleton<HookRecorder>();
        services.AddBackgroundJobs();
        services.AddDocumentationWorkflow(configuration, builder.Environment);
        services.AddReviewWorkspace(configuration, builder.Environment);

        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return builder;
    }

    public static async Task UseVaCdsHooksAsync(this WebApplication app)
    {
        await app.Services.MigrateVaCdsHooksStorageAsync();

        app.UseTrustedForwardedHeaders();

        // Anything unexpected becomes a ProblemDetails without internals; client mistakes are handled in the endpoints
        // or, for bodies Kestrel refuses and the database being down, by EdgeExceptionHandler.
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // Browsers must come back over TLS only (not in Development, where the service runs on plain localhost).
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapCdsServicesApi();
        app.MapSmartBackendServices();
        app.MapDtrApi();
        app.MapReviewWorkspace();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
    }

    private static IServiceCollection AddCdsHooksEndpoints(this IServiceCollection services)
    {
        services.AddOptions<CdsServicesOptions>()
            .BindConfiguration(CdsServicesOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CdsServicesOptions>, CdsServicesOptionsValidation>();

        services.AddSingleton<CdsServiceCatalog>();
        services.AddSingleton<PatientRecordAssembler>();
        services.AddSingleton<HookProcessor>();

        services.AddEhrFhirHttpClient();

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CdsServicesOptions>>((cors, options) => cors.AddPolicy(CdsServicesApi.CorsPolicy, policy =>
        {
            // Bearer tokens, no cookies: unless origins are configured any may call, as CDS Hooks recommends for browser-based EHRs.
            if (options.Value.AllowsAnyOrigin)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. options.Value.CorsOrigins]);
            }

            policy.WithMethods("GET", "POST", "OPTIONS").WithHeaders("Authorization", "Content-Type", "Accept").SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));

        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = 1024 * 1024);
        return services;
    }

    private static IServiceCollection AddCoverageEngine(this IServiceCollection services)
    {
        services.AddOptions<PolicySettings>()
            .BindConfiguration(PolicySettings.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicySettings>, PolicySettingsValidation>();
        services.AddOptions<FhirResourcesOptions>()
            .BindConfiguration(FhirResourcesOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<FhirResourcesOptions>, FhirResourcesPathResolution>();
        services.AddSingleton<IValidateOptions<FhirResourcesOptions>, FhirResourcesOptionsValidation>();

        services.AddSingleton(provider => CoveragePolicy.Load(
            provider.GetRequiredService<IOptions<FhirResourcesOptions>>().Value.FhirResourcesPath,
            provider.GetRequiredService<IOptions<PolicySettings>>().Value));
        services.AddSingleton<IAssertionIdSource, RandomAssertionIdSource>();
        services.AddSingleton<ICoverageAdvisor, CoverageAdvisor>();
        return services;
    }
}

/// <summary>Start-up validation of the policy settings, with the engine's own messages.</summary>
internal sealed class PolicySettingsValidation : IValidateOptions<PolicySettings>
{
    public ValidateOptionsResult Validate(string? name, PolicySettings options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
