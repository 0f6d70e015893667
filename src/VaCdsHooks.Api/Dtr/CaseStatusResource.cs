using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// A case's status for the EHR as a ClaimResponse (use = preauthorization). Chosen over Task because an integrator
/// of the Da Vinci burden-reduction IGs reads prior-authorization outcomes from ClaimResponse (PAS answers and
/// inquiries return one): <c>outcome</c> says whether a decision was made, <c>preAuthRef</c> and
/// <c>preAuthPeriod</c> carry the number and its validity, <c>disposition</c> the reason in words.
/// </summary>
public static class CaseStatusResource
{
    public const string CaseStatusExtension = "http://vacdshooks.example.org/fhir/StructureDefinition/prior-auth-case-status";

    public static ClaimResponse From(PriorAuthCaseRecord found)
    {
        var decided = found.Status is PriorAuthCaseStatus.Approved or PriorAuthCaseStatus.Denied;
        var response = new ClaimResponse
        {
            Id = found.CaseId,
            Identifier = [new Identifier(DtrCodes.AssertionIdentifierSystem, found.AssertionId)],
            Status = FinancialResourceStatusCodes.Active,
            Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/claim-type", "professional", "Professional"),
            Use = ClaimUseCode.Preauthorization,
            Patient = new ResourceReference(found.PatientReference),
            Created = found.UpdatedAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            Insurer = new ResourceReference { Display = "VaCdsHooks health plan" },
            Outcome = decided ? ClaimProcessingCodes.Complete : ClaimProcessingCodes.Queued,
            Disposition = found.DeterminationSummary,
        };
        response.AddExtension(CaseStatusExtension, new Code(found.Status.ToCode()));
        response.AddExtension("http://vacdshooks.example.org/fhir/StructureDefinition/prior-auth-order", new ResourceReference(found.OrderReference));

        if (found.Status == PriorAuthCaseStatus.Approved)
        {
            response.PreAuthRef = found.PriorAuthNumber;
            response.PreAuthPeriod = new Period
            {
                Start = found.UpdatedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                End = found.PriorAuthExpiresOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        return response;
    }
}
