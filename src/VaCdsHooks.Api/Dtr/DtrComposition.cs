using Microsoft.Extensions.Options;
using VaCdsHooks.Api.Composition;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Dtr;

/// <summary>The DTR payer endpoint: questionnaire, package, response intake and its background job.</summary>
public static class DtrComposition
{
    public static IServiceCollection AddDocumentationWorkflow(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<DocumentationSettings>().BindConfiguration(DocumentationSettings.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DocumentationSettings>, DocumentationSettingsValidation>();
        services.AddOptions<DtrWorkflowOptions>().BindConfiguration(DtrWorkflowOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(provider => DocumentationQuestionnaire.Load(
            provider.GetRequiredService<IOptions<FhirResourcesOptions>>().Value.FhirResourcesPath,
            provider.GetRequiredService<CoveragePolicy>()));
        services.AddSingleton(provider => new DocumentationQuestionnaireBuilder(
            provider.GetRequiredService<CoveragePolicy>(), provider.GetRequiredService<DocumentationQuestionnaire>()));
        services.AddSingleton(provider => new QuestionnairePackageBuilder(
            provider.GetRequiredService<CoveragePolicy>(),
            provider.GetRequiredService<IOptions<DocumentationSettings>>().Value,
            provider.GetRequiredService<DocumentationQuestionnaire>().Libraries));
        services.AddSingleton(provider => new ValueSetExpansion(provider.GetRequiredService<CoveragePolicy>()));
        services.AddSingleton(provider => new QuestionnaireResponseReader(
            provider.GetRequiredService<CoveragePolicy>(), provider.GetRequiredService<DocumentationQuestionnaire>()));
        services.AddSingleton(provider => new DocumentationReevaluation(
            provider.GetRequiredService<CoveragePolicy>(), provider.GetRequiredService<Coverage.IAssertionIdSource>()));

        // DTR clients authenticate with SMART Backend Services (DTR spec-120); the EHR clients registered for hooks
        // are the DTR clients, with the same keys.
        services.AddSmartBackendServices(configuration);
        services.AddCors(cors => cors.AddPolicy(DtrApi.DtrCorsPolicy, policy => policy
            .AllowAnyOrigin()
            .WithMethods("GET", "POST", "OPTIONS")
            .WithHeaders("Authorization", "Content-Type", "Accept")
            .WithExposedHeaders("Location")));

        services.AddSingleton<CapabilityStatementSource>();
        services.AddSingleton<BaseSpecificationValidator>();
        services.AddHostedService<BaseSpecificationValidatorWarmUp>();
        services.AddScoped<AssertionContextLoader>();
        services.AddScoped<DocumentationService>();
        services.AddScoped<DocumentationJob>();
        services.AddHostedService<DocumentationJobRecovery>();
        return services;
    }
}

/// <summary>Start-up validation of the documentation settings, with the domain's own messages.</summary>
internal sealed class DocumentationSettingsValidation : IValidateOptions<DocumentationSettings>
{
    public ValidateOptionsResult Validate(string? name, DocumentationSettings options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
