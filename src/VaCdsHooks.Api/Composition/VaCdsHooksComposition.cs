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

        services.AddCdsHooksEndpoints(configuration);
        services.AddCoverageEngine(configuration, builder.Environment);
        // Replayed tokens are recognised by every instance sharing the database, and after a restart.
        services.AddEhrTrust(configuration).UseReplayCache<DatabaseJtiReplayCache>();
        services.AddVaCdsHooksStorage(configuration, builder.Environment.ContentRootPath);
        services.AddSingleton<HookRecorder>();
        services.AddBackgroundJobs(configuration);
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

    private static IServiceCollection AddCdsHooksEndpoints(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CdsServicesOptions>()
            .Bind(configuration.GetSection(CdsServicesOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<CdsServiceCatalog>();
        services.AddSingleton<PatientRecordAssembler>();
        services.AddSingleton<HookProcessor>();

        services.AddEhrFhirHttpClient();

        services.AddCors(cors => cors.AddPolicy(CdsServicesApi.CorsPolicy, policy =>
        {
            // Bearer tokens, no cookies: any origin may call, as CDS Hooks recommends for browser-based EHRs.
            var origins = configuration.GetSection(CdsServicesOptions.Section + ":CorsOrigins").Get<string[]>() ?? ["*"];
            if (origins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }

            policy.WithMethods("GET", "POST", "OPTIONS").WithHeaders("Authorization", "Content-Type", "Accept").SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));

        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = 1024 * 1024);
        return services;
    }

    private static IServiceCollection AddCoverageEngine(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<PolicySettings>()
            .Bind(configuration.GetSection(PolicySettings.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicySettings>, PolicySettingsValidation>();

        services.AddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<PolicySettings>>().Value;
            var directory = configuration[PolicySettings.SectionName + ":FhirResourcesPath"] is { Length: > 0 } configured
                ? Path.GetFullPath(configured, environment.ContentRootPath)
                : Path.Combine(AppContext.BaseDirectory, "fhir-resources");
            return CoveragePolicy.Load(directory, settings);
        });
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
