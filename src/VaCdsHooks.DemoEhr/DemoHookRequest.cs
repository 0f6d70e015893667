using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace VaCdsHooks.DemoEhr;

/// <summary>
/// Turns an example chart (a collection Bundle: Patient, Coverage, clinical resources and draft ServiceRequests)
/// into the CDS Hooks request an EHR would send: draft orders in the context, one prefetch entry per template.
/// </summary>
public static class DemoHookRequest
{
    public static JsonSerializerOptions FhirJson { get; } = new JsonSerializerOptions().ForFhir();

    /// <summary>Prefetch key to resource type, as the service's discovery document declares them.</summary>
    public static IReadOnlyDictionary<string, string> SearchTemplates { get; } = new Dictionary<string, string>
    {
        ["coverage"] = "Coverage",
        ["conditions"] = "Condition",
        ["observations"] = "Observation",
        ["medicationStatements"] = "MedicationStatement",
        ["medicationRequests"] = "MedicationRequest",
        ["imagingStudies"] = "ImagingStudy",
        ["procedures"] = "Procedure",
        ["diagnosticReports"] = "DiagnosticReport",
        ["allergyIntolerances"] = "AllergyIntolerance",
        ["encounters"] = "Encounter",
    };

    public static JsonObject Build(IReadOnlyList<Resource> chart, string hook, bool prefetch, string? hookInstance = null)
    {
        var patient = chart.OfType<Patient>().FirstOrDefault() ?? throw new InvalidOperationException("The chart has no Patient.");
        var orders = chart.OfType<ServiceRequest>().Where(s => s.Status == RequestStatus.Draft).ToList();

        var context = new JsonObject
        {
            ["userId"] = "Practitioner/demo-surgeon",
            ["patientId"] = patient.Id,
        };

        var draftOrders = ToNode(new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Entry = orders.Select(o => new Bundle.EntryComponent { Resource = o }).ToList(),
        });

        switch (hook)
        {
            case "order-dispatch":
                context.Remove("userId");
                context["dispatchedOrders"] = new JsonArray(orders.Select(o => (JsonNode)("ServiceRequest/" + o.Id)).ToArray());
                context["performer"] = "Organization/demo-spine-center";
                break;
            case "order-select":
                context["draftOrders"] = draftOrders;
                context["selections"] = new JsonArray(orders.Select(o => (JsonNode)("ServiceRequest/" + o.Id)).ToArray());
                break;
            case "appointment-book":
                context["appointments"] = ToNode(new Bundle
                {
                    Type = Bundle.BundleType.Collection,
                    Entry = orders.Select(o => new Bundle.EntryComponent { Resource = AppointmentFor(o, patient) }).ToList(),
                });
                break;
            default:
                context["draftOrders"] = draftOrders;
                break;
        }

        var request = new JsonObject
        {
            ["hook"] = hook,
            ["hookInstance"] = hookInstance ?? Guid.NewGuid().ToString(),
            ["context"] = context,
        };

        if (prefetch)
        {
            var entries = new JsonObject { ["patient"] = ToNode(patient) };
            foreach (var (key, type) in SearchTemplates)
            {
                entries[key] = ToNode(new Bundle
                {
                    Type = Bundle.BundleType.Searchset,
                    Entry = chart.Where(r => r.TypeName == type).Select(r => new Bundle.EntryComponent { Resource = r }).ToList(),
                });
            }

            if (hook == "order-dispatch")
            {
                // The dispatched orders themselves, so nothing has to be read back from the EHR.
                entries["dispatchedOrders"] = draftOrders;
            }

            request["prefetch"] = entries;
        }

        return request;
    }

    /// <summary>Reads an example chart file.</summary>
    public static IReadOnlyList<Resource> ReadChart(string path)
    {
        var bundle = JsonSerializer.Deserialize<Bundle>(File.ReadAllText(path), FhirJson)
            ?? throw new InvalidOperationException($"{path} is not a FHIR Bundle.");
        return bundle.Entry.Select(e => e.Resource).OfType<Resource>().ToList();
    }

    /// <summary>
    /// The booked Appointment for an order. CRD 2.0.1 <c>profile-appointment</c> requires <c>start</c>, <c>end</c> and
    /// <c>requestedPeriod</c> (1..1 each); the slot is the order's planned date, else its authored date, so the
    /// service decides the same date it would for the order itself.
    /// </summary>
    private static Appointment AppointmentFor(ServiceRequest order, Patient patient)
    {
        var day = PlannedDay(order);
        var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
        var end = start.AddHours(1);
        return new Appointment
        {
            Id = "appt-" + order.Id,
            Status = Appointment.AppointmentStatus.Proposed,
            ServiceType = order.Code is { } code ? [code] : [],
            BasedOn = [new ResourceReference("ServiceRequest/" + order.Id)],
            Start = start,
            End = end,
            RequestedPeriod = [new Period(new FhirDateTime(start), new FhirDateTime(end))],
            Participant = [new Appointment.ParticipantComponent
            {
                Actor = new ResourceReference("Patient/" + patient.Id),
                Status = ParticipationStatus.Accepted,
            }],
        };
    }

    private static DateOnly PlannedDay(ServiceRequest order)
    {
        var date = order.Occurrence switch
        {
            FhirDateTime planned => planned.Value,
            Period period => period.Start,
            _ => order.AuthoredOn,
        };
        return date is { Length: >= 10 } && DateOnly.TryParseExact(date[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
            ? day
            : DateOnly.FromDateTime(DateTime.UtcNow);
    }

    private static JsonNode ToNode(Resource resource) => JsonNode.Parse(JsonSerializer.Serialize(resource, FhirJson))!;
}
