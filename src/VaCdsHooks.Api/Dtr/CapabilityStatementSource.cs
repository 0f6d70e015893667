using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// The CapabilityStatement of the DTR endpoint, built once at start: what a DTR client may call here, and that it
/// authenticates with SMART Backend Services at the token endpoint named in <c>/.well-known/smart-configuration</c>.
/// </summary>
public sealed class CapabilityStatementSource
{
    private const string QuestionnairePackage = "http://hl7.org/fhir/us/davinci-dtr/OperationDefinition/questionnaire-package";
    private const string ValueSetExpand = "http://hl7.org/fhir/OperationDefinition/ValueSet-expand";
    private const string NextQuestion = "http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-next-question";
    private const string OAuthUris = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    public CapabilityStatementSource(IOptions<EhrTrustOptions> trust, DocumentationQuestionnaire master, TimeProvider time)
    {
        var baseUrl = trust.Value.PublicBaseUrl?.TrimEnd('/') ?? "";
        var security = new CapabilityStatement.SecurityComponent
        {
            Cors = true,
            Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART Backend Services")],
            Description = "SMART Backend Services: client_credentials with a private_key_jwt client assertion (RS384 or ES384). "
                + "Scopes: system/Questionnaire.rs, system/ValueSet.rs, system/Library.rs, system/QuestionnaireResponse.cu, system/ClaimResponse.rs.",
        };
        var oauth = new Extension { Url = OAuthUris };
        oauth.Extension.Add(new Extension("token", new FhirUri(baseUrl + SmartBackendDefaults.TokenPath)));
        security.Extension.Add(oauth);

        Statement = new CapabilityStatement
        {
            Id = "vacdshooks-dtr",
            Url = baseUrl + "/fhir/metadata",
            Name = "VaCdsHooksDtrServer",
            Title = "VaCdsHooks DTR payer endpoint",
            Status = PublicationStatus.Active,
            Date = time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Kind = CapabilityStatementKind.Instance,
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "Documentation for vertebral augmentation prior authorization", Url = baseUrl + "/fhir" },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["json", "application/fhir+json"],
            ImplementationGuide = ["http://hl7.org/fhir/us/davinci-dtr/ImplementationGuide/hl7.fhir.us.davinci-dtr"],
            Rest =
            [
                new CapabilityStatement.RestComponent
                {
                    Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                    Security = security,
                    Resource =
                    [
                        new CapabilityStatement.ResourceComponent
                        {
                            Type = "Questionnaire",
                            Interaction = [Interaction(CapabilityStatement.TypeRestfulInteraction.Read), Interaction(CapabilityStatement.TypeRestfulInteraction.SearchType)],
                            SearchParam = [new CapabilityStatement.SearchParamComponent { Name = "url", Type = SearchParamType.Uri, Documentation = $"Resolves {master.Url}" }],
                            Operation =
                            [
                                new CapabilityStatement.OperationComponent { Name = "questionnaire-package", Definition = QuestionnairePackage },
                                new CapabilityStatement.OperationComponent { Name = "next-question", Definition = NextQuestion },
                            ],
                        },
                        new CapabilityStatement.ResourceComponent
                        {
                            Type = "ValueSet",
                            Interaction = [Interaction(CapabilityStatement.TypeRestfulInteraction.Read), Interaction(CapabilityStatement.TypeRestfulInteraction.SearchType)],
                            SearchParam = [new CapabilityStatement.SearchParamComponent { Name = "url", Type = SearchParamType.Uri, Documentation = "Our answer and evidence ValueSets." }],
                            Operation = [new CapabilityStatement.OperationComponent { Name = "expand", Definition = ValueSetExpand }],
                        },
                        new CapabilityStatement.ResourceComponent
                        {
                            Type = "QuestionnaireResponse",
                            Interaction = [Interaction(CapabilityStatement.TypeRestfulInteraction.Create)],
                            Documentation = "Completed responses are stored at once (201) and re-evaluated in the background; the outcome is read as a ClaimResponse.",
                        },
                        new CapabilityStatement.ResourceComponent
                        {
                            Type = "ClaimResponse",
                            Interaction = [Interaction(CapabilityStatement.TypeRestfulInteraction.Read), Interaction(CapabilityStatement.TypeRestfulInteraction.SearchType)],
                            SearchParam = [new CapabilityStatement.SearchParamComponent { Name = "identifier", Type = SearchParamType.Token, Documentation = "The CRD coverage-assertion-id." }],
                            Documentation = "The prior-authorization status of a documentation case (use = preauthorization).",
                        },
                    ],
                },
            ],
        };
    }

    public CapabilityStatement Statement { get; }

    private static CapabilityStatement.ResourceInteractionComponent Interaction(CapabilityStatement.TypeRestfulInteraction code) => new() { Code = code };
}
