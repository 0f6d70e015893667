using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Determination;

/// <summary>
/// Which orders this policy decides: a ServiceRequest with a CPT code in our procedure ValueSet, or an
/// Appointment whose serviceType carries one or whose basedOn ServiceRequest (in the same list) does.
/// Everything else is out of scope: no card, no action.
/// </summary>
public static class OrderScope
{
    public static IReadOnlyList<InScopeOrder> Find(CoveragePolicy policy, IReadOnlyList<Resource> orders, DateTimeOffset now)
    {
        var procedures = policy.ValueSets.Procedures;
        var today = DateOnly.FromDateTime(now.Date);
        var requestsByReference = orders.OfType<ServiceRequest>()
            .Where(r => !string.IsNullOrEmpty(r.Id))
            .GroupBy(r => "ServiceRequest/" + r.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var result = new List<InScopeOrder>();
        for (var index = 0; index < orders.Count; index++)
        {
            var order = orders[index];
            var reference = order.TypeName + "/" + (string.IsNullOrEmpty(order.Id) ? "#" + index.ToString(CultureInfo.InvariantCulture) : order.Id);
            switch (order)
            {
                case ServiceRequest request when CptOf(procedures, request.Code) is { } code:
                    result.Add(Scoped(policy, order, reference, code, ClinicalDate.Parse(request.AuthoredOn), today));
                    break;
                case Appointment appointment:
                    var basedOn = appointment.BasedOn
                        .Select(b => b.Reference is { } r ? requestsByReference.GetValueOrDefault(RelativeReference(r)) : null)
                        .OfType<ServiceRequest>()
                        .FirstOrDefault(r => CptOf(procedures, r.Code) is not null);
                    var serviceCode = appointment.ServiceType.Select(s => CptOf(procedures, s)).FirstOrDefault(c => c is not null)
                        ?? (basedOn is null ? null : CptOf(procedures, basedOn.Code));
                    if (serviceCode is not null)
                    {
                        result.Add(Scoped(policy, order, reference, serviceCode, ClinicalDate.Parse(basedOn?.AuthoredOn), today));
                    }

                    break;
            }
        }

        return result;
    }

    private static InScopeOrder Scoped(CoveragePolicy policy, Resource order, string reference, Coding code, ClinicalDate? authored, DateOnly today)
    {
        var label = policy.ValueSets.Procedures.DisplayOf(CodeSystems.Cpt, code.Code!) ?? "Vertebral augmentation";
        return new InScopeOrder(order, reference, code, label, authored?.Earliest ?? today, authored is null);
    }

    private static Coding? CptOf(CodeSet procedures, CodeableConcept? concept) =>
        concept?.Coding.FirstOrDefault(c => c.System == CodeSystems.Cpt && procedures.Contains(c));

    /// <summary><c>ServiceRequest/x</c> from a relative or absolute reference.</summary>
    private static string RelativeReference(string reference)
    {
        var at = reference.LastIndexOf("ServiceRequest/", StringComparison.Ordinal);
        return at >= 0 ? reference[at..] : reference;
    }
}
