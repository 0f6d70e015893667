using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>An order (ServiceRequest or Appointment) this policy decides.</summary>
/// <param name="Resource">The order exactly as the EHR sent it.</param>
/// <param name="Reference"><c>Type/id</c> of the order.</param>
/// <param name="Procedure">The CPT coding that put it in scope.</param>
/// <param name="ProcedureLabel">A short label from our procedure ValueSet, e.g. <c>Kyphoplasty, thoracic</c>.</param>
/// <param name="OrderDate">ServiceRequest.authoredOn (for an Appointment, its ServiceRequest's), else the day of the call.</param>
/// <param name="OrderDateIsCallDate">True when no authoredOn was available and the call date was used.</param>
public sealed record InScopeOrder(
    Resource Resource,
    string Reference,
    Coding Procedure,
    string ProcedureLabel,
    DateOnly OrderDate,
    bool OrderDateIsCallDate)
{
    public string ProcedureCode => Procedure.Code ?? string.Empty;
}
