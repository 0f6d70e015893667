using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Crd;

/// <summary>Da Vinci CRD URLs and codes (coverage-information extension, card types).</summary>
public static class CrdCodes
{
    public const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

    /// <summary>Card types in CRD 2.0.1 and 2.1 (<c>_cardType</c> of the temp code system).</summary>
    public const string CardTypeSystemTemp = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp";

    /// <summary>Card types in CRD 2.2 (same codes).</summary>
    public const string CardTypeSystemCdsHooks = "http://terminology.hl7.org/CodeSystem/cdshooks-card-type";

    /// <summary>
    /// Coverage cards explain the policy criterion by criterion and link it: the <c>guideline</c> card type.
    /// <c>coverage-info</c> is the coverage-information response itself and never goes on a card.
    /// </summary>
    public const string CoverageCardType = "guideline";

    /// <summary>Order problems (add-on alone, region mismatch): guidance to adjust the order.</summary>
    public const string OrderProblemCardType = "clinical-reminder";

    /// <summary>
    /// The link-less card that tells the surgeon what to do next on a conditional answer (CRD's "Instructions"
    /// response type: a card with no links and no suggestions). CRD 2.0.1 has no <c>instructions</c> card-type code
    /// (the <c>_cardType</c> codes of the temp code system are coverage-info, claim, insurance, limits, network,
    /// appropriate-use, cost, therapy-alternatives-opt/-req, clinical-reminder, duplicate-therapy, contraindication,
    /// guideline, off-guideline), so it takes the closest one there is: a reminder of what the order still needs.
    /// </summary>
    public const string InstructionsCardType = "clinical-reminder";

    /// <summary>No (active) coverage found for the patient.</summary>
    public const string InsuranceCardType = "insurance";

    /// <summary>The EHR's switch for coverage-information system actions.</summary>
    public const string CoverageInfoOption = "coverage-info";

    public static Coding CardType(string code, string crdVersion) => new(
        crdVersion.StartsWith("2.2", StringComparison.Ordinal) ? CardTypeSystemCdsHooks : CardTypeSystemTemp,
        code,
        code switch
        {
            CoverageCardType => "Guideline",
            OrderProblemCardType => "Clinical Reminder",
            InsuranceCardType => "Insurance",
            _ => code,
        });

    /// <summary>Sub-extension names of ext-coverage-information (CRD STU 2.0.1).</summary>
    public static class Sub
    {
        public const string Coverage = "coverage";
        public const string Covered = "covered";
        public const string PaNeeded = "pa-needed";
        public const string DocNeeded = "doc-needed";
        public const string DocPurpose = "doc-purpose";
        public const string InfoNeeded = "info-needed";
        public const string Reason = "reason";
        public const string Questionnaire = "questionnaire";
        public const string Date = "date";
        public const string CoverageAssertionId = "coverage-assertion-id";
        public const string SatisfiedPaId = "satisfied-pa-id";
    }
}
