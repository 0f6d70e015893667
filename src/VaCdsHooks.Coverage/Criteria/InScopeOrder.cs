using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>The two CPT families: an add-on code counts only beside a primary code of its own family.</summary>
public enum ProcedureFamily
{
    Vertebroplasty,
    Kyphoplasty,
}

/// <summary>An order (ServiceRequest or Appointment) this policy decides.</summary>
/// <param name="Resource">The order exactly as the EHR sent it.</param>
/// <param name="Reference"><c>Type/id</c> of the order (see <see cref="EvidenceItem.ReferenceOf"/>).</param>
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

    /// <summary>
    /// The planned procedure date: ServiceRequest.occurrence[x] (an Appointment's start), else authoredOn, else the
    /// day of the call. The onset window and the episode end on it.
    /// </summary>
    public DateOnly PlannedDate { get; init; }

    /// <summary>True when the order carries the procedure's own date (occurrence[x], the appointment's start).</summary>
    public bool IsScheduled { get; init; }

    /// <summary>Where <see cref="PlannedDate"/> came from, in words ("planned date", "order date", "today").</summary>
    public string PlannedDateSource { get; init; } = "order date";

    public ProcedureFamily Family { get; init; }

    /// <summary>22512 or 22515: each unit is one more vertebral body beside the primary procedure.</summary>
    public bool IsAddOn { get; init; }

    /// <summary>Vertebral bodies this line stands for: 1, or an add-on line's <c>quantity</c>.</summary>
    public int Units { get; init; } = 1;

    /// <summary>The regions the CPT code names (22510: cervical or thoracic).</summary>
    public IReadOnlySet<SpinalRegion> CptRegions { get; init; } = new HashSet<SpinalRegion>();

    /// <summary>Levels the order names in <c>bodySite</c> (vertebrae or regions).</summary>
    public IReadOnlyList<VertebralLevel> NamedLevels { get; init; } = [];

    /// <summary><c>Type/id</c> of the conditions in <c>reasonReference</c>.</summary>
    public IReadOnlyList<string> ReasonReferences { get; init; } = [];

    /// <summary>For an Appointment booked for a ServiceRequest in the same call: that order's reference (the same procedure, not another level).</summary>
    public string? SameProcedureAs { get; init; }

    /// <summary>The order's <c>reasonCode</c>s.</summary>
    public IReadOnlyList<CodeableConcept> ReasonCodes { get; init; } = [];
}
