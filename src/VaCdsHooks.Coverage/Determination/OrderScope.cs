using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Determination;

/// <summary>
/// Which orders this policy decides: a ServiceRequest with a CPT code in our procedure ValueSet, or an
/// Appointment whose serviceType carries one or whose basedOn ServiceRequest (in the same list) does.
/// Everything else is out of scope: no card, no action. Each in-scope order carries what the treated-level
/// rules read: family, add-on units, named levels, reasons, and the planned date.
/// </summary>
public static class OrderScope
{
    public static IReadOnlyList<InScopeOrder> Find(CoveragePolicy policy, IReadOnlyList<Resource> orders, DateTimeOffset now)
    {
        var procedures = policy.ValueSets.Procedures;
        var today = DateOnly.FromDateTime(now.Date);

        // Only an appointment looks up the request it is based on: a call of ServiceRequests builds no index.
        Dictionary<string, ServiceRequest>? requestsByReference = null;
        var result = new List<InScopeOrder>();
        for (var index = 0; index < orders.Count; index++)
        {
            var order = orders[index];
            var reference = ReferenceOf(order, index);
            switch (order)
            {
                case ServiceRequest request when CptOf(procedures, request.Code) is { } code:
                    result.Add(Scoped(policy, order, reference, code, request, PlannedOf(request.Occurrence), today));
                    break;
                case Appointment appointment:
                    requestsByReference ??= RequestsByReference(orders);
                    var basedOn = appointment.BasedOn
                        .Select(b => b.Reference is { } r ? requestsByReference.GetValueOrDefault(PatientRecord.Relative(r)) : null)
                        .OfType<ServiceRequest>()
                        .FirstOrDefault(r => CptOf(procedures, r.Code) is not null);
                    var serviceCode = appointment.ServiceType.Select(s => CptOf(procedures, s)).FirstOrDefault(c => c is not null)
                        ?? (basedOn is null ? null : CptOf(procedures, basedOn.Code));
                    if (serviceCode is not null)
                    {
                        var planned = ClinicalDate.Parse(appointment.StartElement?.Value?.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))
                            ?? PlannedOf(basedOn?.Occurrence);
                        result.Add(Scoped(policy, order, reference, serviceCode, basedOn, planned, today) with
                        {
                            SameProcedureAs = basedOn is null ? null : ReferenceOf(basedOn, IndexOf(orders, basedOn)),
                        });
                    }

                    break;
            }
        }

        return result;
    }

    private static Dictionary<string, ServiceRequest> RequestsByReference(IReadOnlyList<Resource> orders) =>
        orders.OfType<ServiceRequest>()
            .Where(r => !string.IsNullOrEmpty(r.Id))
            .GroupBy(r => "ServiceRequest/" + r.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="order"/> in scope, decided beside the other orders of its hook call (an add-on line needs its
    /// primary): every in-scope order of the call, and this one; <c>Order</c> is null when it is not ours.
    /// </summary>
    public static (IReadOnlyList<InScopeOrder> All, InScopeOrder? Order) FindAmong(CoveragePolicy policy, Resource order, IReadOnlyList<Resource>? orders, DateTimeOffset now)
    {
        IReadOnlyList<Resource> call = orders is { Count: > 0 } && orders.Contains(order) ? orders : [order];
        var scoped = Find(policy, call, now);
        var reference = ReferenceOf(order, IndexOf(call, order));
        return (scoped, scoped.FirstOrDefault(s => s.Reference == reference));
    }

    /// <summary>
    /// The one way an order is named: <c>Type/id</c>, or <c>Type/#n</c> (its position in the hook's list) when
    /// the EHR sent no id, so every step that stores or matches an order uses the same name.
    /// </summary>
    public static string ReferenceOf(Resource order, int index) =>
        order.TypeName + "/" + (string.IsNullOrEmpty(order.Id) ? "#" + index.ToString(CultureInfo.InvariantCulture) : order.Id);

    private static InScopeOrder Scoped(CoveragePolicy policy, Resource order, string reference, Coding code, ServiceRequest? request, ClinicalDate? planned, DateOnly today)
    {
        var vs = policy.ValueSets;
        var label = vs.Procedures.DisplayOf(CodeSystems.Cpt, code.Code!) ?? "Vertebral augmentation";
        var authored = ClinicalDate.Parse(request?.AuthoredOn);
        var isAddOn = vs["vertebroplasty-add-on-procedures"].Contains(code) || vs["kyphoplasty-add-on-procedures"].Contains(code);
        var family = vs["kyphoplasty-primary-procedures"].Contains(code) || vs["kyphoplasty-add-on-procedures"].Contains(code) ? ProcedureFamily.Kyphoplasty : ProcedureFamily.Vertebroplasty;
        var units = isAddOn && request?.Quantity is Quantity { Value: { } q } && q >= 1 && q == decimal.Truncate(q) ? (int)Math.Min(q, 20) : 1;
        var namedLevels = NamedLevels(policy, request);
        var regions = vs.ProcedureRegionsOf(code);
        return new InScopeOrder(order, reference, code, label, authored?.Earliest ?? today, authored is null)
        {
            PlannedDate = planned?.Earliest ?? authored?.Earliest ?? today,
            IsScheduled = planned is not null,
            PlannedDateSource = planned is not null ? "planned procedure date" : authored is not null ? "order date" : "today (the order has no date)",
            Family = family,
            IsAddOn = isAddOn,
            Units = units,
            CptRegions = regions,
            NamedLevels = namedLevels,
            ReasonReferences = (request?.ReasonReference ?? []).Select(r => r.Reference).OfType<string>().Select(PatientRecord.Relative).ToList(),
            ReasonCodes = request?.ReasonCode.ToList() ?? [],
        };
    }

    /// <summary>The levels the order's bodySite names (vertebrae), else the regions it names.</summary>
    private static List<VertebralLevel> NamedLevels(CoveragePolicy policy, ServiceRequest? request)
    {
        if (request is not { BodySite.Count: > 0 })
        {
            return [];
        }

        // Each site's text, then each coding's display (a vertebra code's display from our ValueSet), in order.
        var vs = policy.ValueSets;
        var vertebrae = vs["vertebra-structures"];
        var namedLevels = new List<VertebralLevel>();
        foreach (var site in request.BodySite)
        {
            AddLevels(namedLevels, site.Text);
            foreach (var coding in site.Coding)
            {
                AddLevels(namedLevels, vertebrae.Contains(coding) ? vertebrae.DisplayOf(coding.System!, coding.Code!) : coding.Display);
            }
        }

        if (namedLevels.Count > 0)
        {
            return namedLevels;
        }

        // A region code on the order (SNOMED lumbar spine) narrows the region without naming the vertebra.
        foreach (var site in request.BodySite)
        {
            foreach (var coding in site.Coding)
            {
                if (vs.LesionRegionOf(coding) is { } region && !namedLevels.Contains(new VertebralLevel(region, null)))
                {
                    namedLevels.Add(new VertebralLevel(region, null));
                }
            }
        }

        return namedLevels;
    }

    private static void AddLevels(List<VertebralLevel> levels, string? text)
    {
        foreach (var level in VertebralLevel.ParseAll(text))
        {
            if (!levels.Contains(level))
            {
                levels.Add(level);
            }
        }
    }

    private static int IndexOf(IReadOnlyList<Resource> orders, Resource order)
    {
        for (var i = 0; i < orders.Count; i++)
        {
            if (ReferenceEquals(orders[i], order))
            {
                return i;
            }
        }

        return -1;
    }

    private static ClinicalDate? PlannedOf(DataType? occurrence) => occurrence switch
    {
        Timing timing => ClinicalDate.Parse(timing.Event.FirstOrDefault()) ?? ClinicalDate.Parse((timing.Repeat?.Bounds as Period)?.Start),
        var other => ClinicalDate.From(other),
    };

    private static Coding? CptOf(CodeSet procedures, CodeableConcept? concept) =>
        concept?.Coding.FirstOrDefault(c => c is not null && c.System == CodeSystems.Cpt && procedures.Contains(c));
}
