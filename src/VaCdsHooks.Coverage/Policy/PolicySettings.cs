namespace VaCdsHooks.Coverage.Policy;

/// <summary>
/// The payer's settings for the vertebral augmentation policy, bound from configuration section
/// <c>CoveragePolicy</c>. Every threshold the decision model marks <b>[choice]</b> is here with its default;
/// fhir-resources/README.md explains each.
/// </summary>
public sealed class PolicySettings
{
    public const string SectionName = "CoveragePolicy";

    /// <summary>CRD versions whose coverage-information and card shapes we emit.</summary>
    public static IReadOnlyList<string> SupportedCrdVersions { get; } = ["2.0.1", "2.1.0", "2.2.1"];

    /// <summary>Our identifier of the policy, stored with every assertion.</summary>
    public string PolicyId { get; set; } = "vertebral-augmentation";

    /// <summary>The policy version; every determination is stored with it (same inputs + same version = same result).</summary>
    public string PolicyVersion { get; set; } = "2026.2";

    /// <summary>The title shown on cards.</summary>
    public string PolicyTitle { get; set; } = "Percutaneous Vertebroplasty and Kyphoplasty (Medical Management Guideline)";

    /// <summary>The published policy document, linked from every coverage card as an <c>absolute</c> link.</summary>
    public string PolicyUrl { get; set; } = "https://payer.example.org/policies/medical-management/percutaneous-vertebroplasty-and-kyphoplasty.pdf";

    /// <summary>The canonical of the DTR questionnaire sent with conditional outcomes; the DTR endpoints serve it.</summary>
    public string QuestionnaireCanonical { get; set; } = "http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation";

    /// <summary>
    /// When set, the questionnaire canonical is sent as <c>canonical|version</c>. Empty by default: the DTR service
    /// resolves the current Questionnaire, and a version pin must match what it serves.
    /// </summary>
    public string? QuestionnaireVersion { get; set; }

    /// <summary>[choice] Calendar months from pain onset to order date that are still inside the window (onset 07-24 is inside for an order on 11-24).</summary>
    public int OnsetWindowMonths { get; set; } = 4;

    /// <summary>[choice] An Oswestry Disability Index above this percentage is at least moderate disability (0-20 % is minimal).</summary>
    public decimal OdiMinimalDisabilityMaxPercent { get; set; } = 20m;

    /// <summary>[choice] A pain score recorded after therapy started at or above this (0-10) means therapy failed.</summary>
    public decimal PersistentPainMinScore { get; set; } = 4m;

    /// <summary>[choice] "Responding to conservative therapy": latest pain at or below this score (0-10) ...</summary>
    public decimal RespondingMaxPainScore { get; set; } = 3m;

    /// <summary>[choice] ... and at least this many percent below the highest score since onset.</summary>
    public decimal RespondingMinReductionPercent { get; set; } = 50m;

    /// <summary>[choice] Days an analgesic trial must have run before a later pain score can show it failed.</summary>
    public int AnalgesicTrialMinDays { get; set; } = 14;

    /// <summary>[choice] Days before the pain onset a therapy may have started and still count for this episode.</summary>
    public int TherapyMayStartDaysBeforeOnset { get; set; } = 7;

    /// <summary>[choice] Aspirin up to this daily dose (mg) is antiplatelet use, not an analgesic trial; an unknown dose does not count.</summary>
    public decimal LowDoseAspirinMaxMgPerDay { get; set; } = 325m;

    /// <summary>[choice] An onsetPeriod spanning more days than this does not date the pain onset.</summary>
    public int OnsetPeriodMaxDays { get; set; } = 7;

    /// <summary>[choice] A hemangioma with a compression fracture at the same level counts as aggressive.</summary>
    public bool HemangiomaWithFractureIsAggressive { get; set; } = true;

    /// <summary>[choice] Height loss at or above this percentage means a third or less of the vertebra's height is left.</summary>
    public decimal SevereCollapseMinHeightLossPercent { get; set; } = 66.7m;

    /// <summary>
    /// [choice] When true, every exclusion needs an explicit attestation (finding = false) to be ruled out. When
    /// false (default), a CT or MRI of the spine after pain onset with nothing coded or measured showing the
    /// exclusion rules it out (closed world under cross-sectional imaging).
    /// </summary>
    public bool StrictAttestation { get; set; }

    /// <summary>
    /// [choice] Whether a CT/MRI study without any body site counts as a study of the spine. Default false: the
    /// study must name a spinal body site.
    /// </summary>
    public bool AcceptImagingWithoutBodySite { get; set; }

    /// <summary>The CRD version our answers follow (2.0.1: card types in the CRD temp code system).</summary>
    public string CrdVersion { get; set; } = "2.0.1";

    /// <summary>The label on every card's source.</summary>
    public string CardSourceLabel { get; set; } = "VaCdsHooks coverage policy";

    /// <summary>
    /// Our payer as an Organization: <c>Organization/id</c> entries matched against <c>Coverage.payor</c> references
    /// (relative, or the end of an absolute URL). A Coverage whose payor matches neither this nor
    /// <see cref="PayerIdentifiers"/> is another payer's, and we say nothing about it.
    /// </summary>
    public string[] PayerOrganizations { get; set; } = ["Organization/vacdshooks-payer"];

    /// <summary>Our payer by identifier: <c>system|value</c> entries matched against <c>Coverage.payor.identifier</c>.</summary>
    public string[] PayerIdentifiers { get; set; } = [];

    /// <summary>Whether any payor of the coverage is this payer (by Organization reference or identifier).</summary>
    public bool IsOurPayer(Hl7.Fhir.Model.Coverage coverage)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        foreach (var payor in coverage.Payor)
        {
            if (payor is null)
            {
                continue;
            }

            if (payor.Reference is { Length: > 0 } reference && PayerOrganizations.Contains(OrganizationPart(reference), StringComparer.Ordinal))
            {
                return true;
            }

            if (payor.Identifier is { System: { Length: > 0 } system, Value: { Length: > 0 } value } && PayerIdentifiers.Contains(system + "|" + value, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>Organization/id</c> from a relative or absolute reference (a version suffix dropped).</summary>
    private static string OrganizationPart(string reference)
    {
        var history = reference.IndexOf("/_history/", StringComparison.Ordinal);
        if (history >= 0)
        {
            reference = reference[..history];
        }

        var at = reference.LastIndexOf("Organization/", StringComparison.Ordinal);
        return at > 0 && reference[at - 1] == '/' ? reference[at..] : reference;
    }

    /// <summary>The questionnaire canonical as sent in coverage-information (with <c>|version</c> when configured).</summary>
    public string QuestionnaireReference =>
        string.IsNullOrWhiteSpace(QuestionnaireVersion) ? QuestionnaireCanonical : QuestionnaireCanonical + "|" + QuestionnaireVersion;

    /// <summary>The defaults (valid).</summary>
    public static PolicySettings Default => new();

    /// <summary>Every problem with these settings, in words an operator can act on; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Require(PolicyId, nameof(PolicyId));
        Require(PolicyVersion, nameof(PolicyVersion));
        Require(PolicyTitle, nameof(PolicyTitle));
        Require(CardSourceLabel, nameof(CardSourceLabel));

        if (!Uri.TryCreate(PolicyUrl, UriKind.Absolute, out var policyUri) || (policyUri.Scheme != Uri.UriSchemeHttps && policyUri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{SectionName}:{nameof(PolicyUrl)} must be an absolute http(s) URL; got '{PolicyUrl}'.");
        }

        if (!Uri.TryCreate(QuestionnaireCanonical, UriKind.Absolute, out _) || QuestionnaireCanonical.Contains('|', StringComparison.Ordinal))
        {
            errors.Add($"{SectionName}:{nameof(QuestionnaireCanonical)} must be an absolute canonical URL without '|version' (use {nameof(QuestionnaireVersion)}); got '{QuestionnaireCanonical}'.");
        }

        if (QuestionnaireVersion is { } version && version.Contains('|', StringComparison.Ordinal))
        {
            errors.Add($"{SectionName}:{nameof(QuestionnaireVersion)} must not contain '|'.");
        }

        Range(OnsetWindowMonths, 1, 24, nameof(OnsetWindowMonths));
        Range(OdiMinimalDisabilityMaxPercent, 0, 100, nameof(OdiMinimalDisabilityMaxPercent));
        Range(PersistentPainMinScore, 0, 10, nameof(PersistentPainMinScore));
        Range(RespondingMaxPainScore, 0, 10, nameof(RespondingMaxPainScore));
        Range(RespondingMinReductionPercent, 0, 100, nameof(RespondingMinReductionPercent));
        Range(SevereCollapseMinHeightLossPercent, 0, 100, nameof(SevereCollapseMinHeightLossPercent));
        Range(AnalgesicTrialMinDays, 0, 180, nameof(AnalgesicTrialMinDays));
        Range(TherapyMayStartDaysBeforeOnset, 0, 90, nameof(TherapyMayStartDaysBeforeOnset));
        Range(LowDoseAspirinMaxMgPerDay, 0, 4000, nameof(LowDoseAspirinMaxMgPerDay));
        Range(OnsetPeriodMaxDays, 0, 90, nameof(OnsetPeriodMaxDays));

        if (RespondingMaxPainScore >= PersistentPainMinScore)
        {
            errors.Add($"{SectionName}:{nameof(RespondingMaxPainScore)} ({RespondingMaxPainScore}) must be below {nameof(PersistentPainMinScore)} ({PersistentPainMinScore}); otherwise one pain score could mean both 'responding' and 'failed therapy'.");
        }

        if (PayerOrganizations.Length + PayerIdentifiers.Length == 0)
        {
            errors.Add($"{SectionName}:{nameof(PayerOrganizations)} or {nameof(PayerIdentifiers)} must name this payer; otherwise no Coverage is recognised as ours.");
        }

        foreach (var organization in PayerOrganizations)
        {
            if (organization is null || !System.Text.RegularExpressions.Regex.IsMatch(organization, "^Organization/[A-Za-z0-9\\-\\.]{1,64}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant))
            {
                errors.Add($"{SectionName}:{nameof(PayerOrganizations)} entries must look like 'Organization/id'; got '{organization}'.");
            }
        }

        foreach (var identifier in PayerIdentifiers)
        {
            var bar = identifier?.IndexOf('|', StringComparison.Ordinal) ?? -1;
            if (identifier is null || bar <= 0 || bar == identifier.Length - 1 || !Uri.TryCreate(identifier[..bar], UriKind.Absolute, out _))
            {
                errors.Add($"{SectionName}:{nameof(PayerIdentifiers)} entries must look like 'system|value' with an absolute system URI; got '{identifier}'.");
            }
        }

        if (!SupportedCrdVersions.Contains(CrdVersion))
        {
            errors.Add($"{SectionName}:{nameof(CrdVersion)} must be one of {string.Join(", ", SupportedCrdVersions)}; got '{CrdVersion}'.");
        }

        return errors;

        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{SectionName}:{name} is required.");
            }
        }

        void Range(decimal value, decimal min, decimal max, string name)
        {
            if (value < min || value > max)
            {
                errors.Add($"{SectionName}:{name} must be between {min} and {max}; got {value}.");
            }
        }
    }

    /// <summary>A copy, so a loaded policy cannot be changed through the options object it was built from.</summary>
    public PolicySettings Clone()
    {
        var copy = (PolicySettings)MemberwiseClone();
        copy.PayerOrganizations = [.. PayerOrganizations];
        copy.PayerIdentifiers = [.. PayerIdentifiers];
        return copy;
    }
}
