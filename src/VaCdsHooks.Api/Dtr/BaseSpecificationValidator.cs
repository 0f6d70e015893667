using System.Diagnostics;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// Validates resources against the FHIR R4 base specification (the core StructureDefinitions shipped in
/// <c>Hl7.Fhir.Specification.Data.R4</c>) with the Firely validator: cardinalities, types, required bindings,
/// invariants and core extensions. IG profiles (DTR, SDC, US Core) cannot be downloaded here, so declared
/// <c>meta.profile</c>s and non-core extension definitions are not followed; the rules of those IGs we rely on are
/// checked by hand in tests (fhir-resources/README.md). The Firely validator is not thread-safe: one instance per
/// process behind a lock (intake is a few responses per case, so it does not queue in practice).
/// </summary>
public sealed partial class BaseSpecificationValidator
{
    private const string CoreStructureDefinitions = "http://hl7.org/fhir/StructureDefinition/";

    // The compiled core definitions are the same for every host in the process (and take seconds to build), so
    // one validator serves them all; the Firely validator is not thread-safe, hence the lock.
    private static readonly Lock Gate = new();
    private static readonly Lazy<Validator> Shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private static Validator Create()
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource());
        var settings = new ValidationSettings
        {
            // IG profiles are not available offline; the base type is always validated.
            SelectValidationProfiles = (_, _, _, _) => [],
            FollowExtensionUrl = (_, url) => url?.Uri is { } extension && extension.StartsWith(CoreStructureDefinitions, StringComparison.Ordinal)
                ? ExtensionUrlHandling.WarnIfMissing
                : ExtensionUrlHandling.DontResolve,
        };
        return new Validator(source, new LocalTerminologyService(source), null, settings);
    }

    /// <summary>Every issue the base specification finds in <paramref name="resource"/> (validated against its core type).</summary>
    public OperationOutcome Validate(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var validator = Shared.Value;
        lock (Gate)
        {
            return validator.Validate(resource, CoreStructureDefinitions + resource.TypeName);
        }
    }

    /// <summary>Only the errors (and fatal issues) of a validation.</summary>
    public static IReadOnlyList<OperationOutcome.IssueComponent> Errors(OperationOutcome outcome) =>
        outcome.Issue.Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal).ToList();

    /// <summary>Loads and compiles the QuestionnaireResponse definitions once, so the first submission does not pay for it.</summary>
    public TimeSpan WarmUp()
    {
        var clock = Stopwatch.StartNew();
        Validate(new QuestionnaireResponse
        {
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Questionnaire = "http://example.org/Questionnaire/warm-up",
            Item = [new QuestionnaireResponse.ItemComponent { LinkId = "1", Answer = [new() { Value = new FhirBoolean(true) }] }],
        });
        return clock.Elapsed;
    }
}

/// <summary>Warms the validator in the background at start, so start-up is not delayed and intake rarely waits.</summary>
internal sealed partial class BaseSpecificationValidatorWarmUp(BaseSpecificationValidator validator, ILogger<BaseSpecificationValidatorWarmUp> logger) : BackgroundService
{
    protected override System.Threading.Tasks.Task ExecuteAsync(CancellationToken stoppingToken) => System.Threading.Tasks.Task.Run(() =>
    {
        var elapsed = validator.WarmUp();
        LogWarmedUp(logger, elapsed.TotalMilliseconds);
    }, stoppingToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "FHIR base specification validator warmed up in {ElapsedMs:F0} ms")]
    private static partial void LogWarmedUp(ILogger logger, double elapsedMs);
}
