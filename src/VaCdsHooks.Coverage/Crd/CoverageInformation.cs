using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Crd;

/// <summary>
/// One repetition of the CRD coverage-information extension: what we assert about one order under one
/// coverage. Built so the version-safe rules of standards.md hold by construction (see <see cref="Create"/>).
/// </summary>
public sealed record CoverageInformation(
    string CoverageReference,
    string Covered,
    string? PaNeeded,
    string? DocNeeded,
    string? DocPurpose,
    string ReasonCode,
    string? ReasonDisplay,
    string ReasonText,
    string? Questionnaire,
    DateOnly Date,
    string AssertionId,
    string? SatisfiedPaId)
{
    /// <summary>
    /// Applies the determination rules: covered -> pa-needed satisfied + satisfied-pa-id; conditional ->
    /// auth-needed, and on primary hooks doc-needed clinical, doc-purpose withpa and the questionnaire;
    /// not-covered -> no pa-needed. A reason always travels.
    /// </summary>
    public static CoverageInformation Create(
        string coverageReference,
        string covered,
        bool documentationMayBeRequested,
        string reasonCode,
        string? reasonDisplay,
        string reasonText,
        string questionnaire,
        DateOnly date,
        string assertionId,
        Func<string> satisfiedPaId) => covered switch
        {
            "covered" => new(coverageReference, covered, "satisfied", null, null, reasonCode, reasonDisplay, reasonText, null, date, assertionId, satisfiedPaId()),
            "conditional" when documentationMayBeRequested => new(coverageReference, covered, "auth-needed", "clinical", "withpa", reasonCode, reasonDisplay, reasonText, questionnaire, date, assertionId, null),
            "conditional" => new(coverageReference, covered, "auth-needed", null, null, reasonCode, reasonDisplay, reasonText, null, date, assertionId, null),
            _ => new(coverageReference, covered, null, null, null, reasonCode, reasonDisplay, reasonText, null, date, assertionId, null),
        };

    /// <summary>The extension, sub-extensions in the order of the CRD StructureDefinition, codes as bare valueCode.</summary>
    public Extension ToExtension()
    {
        var extension = new Extension { Url = CrdCodes.CoverageInformationUrl };
        extension.Extension.Add(new Extension(CrdCodes.Sub.Coverage, new ResourceReference(CoverageReference)));
        extension.Extension.Add(new Extension(CrdCodes.Sub.Covered, new Code(Covered)));
        if (PaNeeded is not null)
        {
            extension.Extension.Add(new Extension(CrdCodes.Sub.PaNeeded, new Code(PaNeeded)));
        }

        if (DocNeeded is not null)
        {
            extension.Extension.Add(new Extension(CrdCodes.Sub.DocNeeded, new Code(DocNeeded)));
        }

        if (DocPurpose is not null)
        {
            extension.Extension.Add(new Extension(CrdCodes.Sub.DocPurpose, new Code(DocPurpose)));
        }

        extension.Extension.Add(new Extension(CrdCodes.Sub.Reason, new CodeableConcept(CodeSystems.Criterion, ReasonCode, ReasonDisplay, ReasonText)));
        if (Questionnaire is not null)
        {
            extension.Extension.Add(new Extension(CrdCodes.Sub.Questionnaire, new Canonical(Questionnaire)));
        }

        extension.Extension.Add(new Extension(CrdCodes.Sub.Date, new Date(Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        extension.Extension.Add(new Extension(CrdCodes.Sub.CoverageAssertionId, new FhirString(AssertionId)));
        if (SatisfiedPaId is not null)
        {
            extension.Extension.Add(new Extension(CrdCodes.Sub.SatisfiedPaId, new FhirString(SatisfiedPaId)));
        }

        return extension;
    }

    /// <summary>
    /// A copy of the order as received with our coverage-information added. An earlier coverage-information for one of
    /// the same coverages is replaced; everything else is left exactly as the EHR sent it.
    /// </summary>
    public static Resource AddTo(Resource order, IReadOnlyList<CoverageInformation> information)
    {
        // The order's elements are shared with the copy rather than deep-copied (copying the whole order cost more than
        // deciding it): nothing changes a parsed order. The extensions are the copy's own, so later edits of ours (a
        // questionnaire withdrawn) never reach the order as received.
        var copy = (DomainResource)ModelInfo.ModelInspector.FindOrImportClassMapping(order.GetType())!.CreateInstance();
        foreach (var (name, value) in order.EnumerateElements())
        {
            if (name != "extension")
            {
                copy.SetValue(name, value);
            }
        }

        var ours = information.Select(i => i.CoverageReference).ToHashSet(StringComparer.Ordinal);
        foreach (var extension in ((DomainResource)order).Extension)
        {
            var replaced = extension.Url == CrdCodes.CoverageInformationUrl
                && extension.GetExtension(CrdCodes.Sub.Coverage)?.Value is ResourceReference { Reference: { } coverage }
                && ours.Contains(coverage);
            if (!replaced)
            {
                copy.Extension.Add((Extension)extension.DeepCopy());
            }
        }

        foreach (var item in information)
        {
            copy.Extension.Add(item.ToExtension());
        }

        return copy;
    }
}
