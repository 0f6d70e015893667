namespace VaCdsHooks.Coverage.Documentation;

/// <summary>URLs and codes of the DTR, SDC and core extensions the documentation step reads and writes.</summary>
public static class DtrCodes
{
    public const string InformationOriginUrl = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin";
    public const string IntendedUseUrl = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/intendedUse";
    public const string QrContextUrl = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/qr-context";

    /// <summary>DTR 2.2 names the Coverage in its own extension; 2.0.1 puts it in <see cref="QrContextUrl"/>.</summary>
    public const string QrCoverageUrl = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/qr-coverage";

    /// <summary>The DTR 2.0.1 code system of information-origin sources (auto | override | manual).</summary>
    public const string DtrTempSystem = "http://hl7.org/fhir/us/davinci-dtr/CodeSystem/temp";

    /// <summary>The CRD code system of doc-purpose codes, which intendedUse binds to.</summary>
    public const string CrdTempSystem = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp";

    public const string QuestionnaireResponseProfile = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/dtr-questionnaireresponse";
    public const string SdcPopulateExpressionProfile = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-pop-exp";
    public const string SdcAdaptiveQuestionnaireProfile = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-adapt";

    /// <summary>
    /// The adaptive Questionnaire as a package entry on its own: SDC's <c>sdc-adapt-1</c> requires the
    /// <see cref="SdcAdaptiveQuestionnaireProfile"/> one to be contained in a QuestionnaireResponse.
    /// </summary>
    public const string DtrAdaptiveSearchQuestionnaireProfile = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/dtr-questionnaire-adapt-search";
    public const string SdcAdaptiveResponseProfile = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse-adapt";
    public const string SdcAdaptiveExtensionUrl = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-questionnaireAdaptive";
    public const string InitialExpressionUrl = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression";
    public const string LaunchContextUrl = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-launchContext";
    public const string VariableUrl = "http://hl7.org/fhir/StructureDefinition/variable";
    public const string CqfLibraryUrl = "http://hl7.org/fhir/StructureDefinition/cqf-library";
    public const string MinValueUrl = "http://hl7.org/fhir/StructureDefinition/minValue";
    public const string MaxValueUrl = "http://hl7.org/fhir/StructureDefinition/maxValue";

    /// <summary>The per-item author extension some DTR apps send beside information-origin.</summary>
    public const string ItemAuthorUrl = "http://hl7.org/fhir/StructureDefinition/questionnaireresponse-author";

    /// <summary>
    /// Our own item extension: the item is a follow-up asked only when its criterion carries this flag (e.g. a
    /// coded competing pain generator); without the flag the criterion's other items are asked instead.
    /// </summary>
    public const string AskedWhenFlagUrl = "http://vacdshooks.example.org/fhir/StructureDefinition/asked-when-flag";

    /// <summary>Identifier system naming the coverage assertion a tailored questionnaire belongs to.</summary>
    public const string AssertionIdentifierSystem = "http://vacdshooks.example.org/fhir/identifier/coverage-assertion-id";

    /// <summary>The <c>$questionnaire-package</c> output parameter holding one package Bundle (DTR 2.0.1 spelling).</summary>
    public const string PackageBundleParameter = "PackageBundle";

    public const string OutcomeParameter = "outcome";
}
