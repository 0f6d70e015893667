using Microsoft.Extensions.Options;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Api.Composition;

/// <summary>
/// Where the published FHIR artifacts (policy ValueSets, questionnaire, libraries) are read from:
/// <c>CoveragePolicy:FhirResourcesPath</c>, beside the policy settings it belongs with.
/// </summary>
public sealed class FhirResourcesOptions
{
    public const string Section = PolicySettings.SectionName;

    /// <summary>
    /// The folder, relative to the content root. Unset: the copy shipped beside the service's binaries.
    /// Always an absolute path once the options are built.
    /// </summary>
    public string FhirResourcesPath { get; set; } = "";
}

/// <summary>Anchors the folder at the content root, or falls back to the shipped copy.</summary>
internal sealed class FhirResourcesPathResolution(IHostEnvironment environment) : IPostConfigureOptions<FhirResourcesOptions>
{
    public void PostConfigure(string? name, FhirResourcesOptions options) =>
        options.FhirResourcesPath = string.IsNullOrWhiteSpace(options.FhirResourcesPath)
            ? Path.Combine(AppContext.BaseDirectory, "fhir-resources")
            : Path.GetFullPath(options.FhirResourcesPath, environment.ContentRootPath);
}

/// <summary>A missing folder fails start-up naming the key, rather than the first hook call.</summary>
internal sealed class FhirResourcesOptionsValidation : IValidateOptions<FhirResourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, FhirResourcesOptions options) =>
        Directory.Exists(options.FhirResourcesPath)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{FhirResourcesOptions.Section}:{nameof(FhirResourcesOptions.FhirResourcesPath)} '{options.FhirResourcesPath}' is not a folder.");
}
