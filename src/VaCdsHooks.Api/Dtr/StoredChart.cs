using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Records;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// The chart a decision was made on, kept as a FHIR Bundle so documentation answers are re-evaluated against the
/// same record (the EHR's token is long gone by then). What could not be read is kept as OperationOutcome entries,
/// so an unknown stays unknown rather than becoming "absent".
/// </summary>
public static class StoredChart
{
    private static readonly HashSet<string> OrderTypes = ["ServiceRequest", "Appointment", "DeviceRequest"];

    public static string Write(PatientRecord record, IEnumerable<Resource> orders)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        void Add(Resource? resource)
        {
            if (resource is not null)
            {
                bundle.Entry.Add(new Bundle.EntryComponent { Resource = resource });
            }
        }

        Add(record.Patient);
        foreach (var resource in record.Coverages.Cast<Resource>()
                     .Concat(record.Conditions).Concat(record.Observations).Concat(record.MedicationStatements)
                     .Concat(record.MedicationRequests).Concat(record.ImagingStudies).Concat(record.Procedures))
        {
            Add(resource);
        }

        foreach (var order in orders)
        {
            Add(order);
        }

        foreach (var gap in record.Gaps)
        {
            Add(new OperationOutcome
            {
                Issue =
                [
                    new OperationOutcome.IssueComponent
                    {
                        Severity = OperationOutcome.IssueSeverity.Warning,
                        Code = OperationOutcome.IssueType.Incomplete,
                        Details = new CodeableConcept { Text = gap.ResourceType },
                        Diagnostics = gap.Reason,
                        Expression = [gap.Template],
                    },
                ],
            });
        }

        return JsonSerializer.Serialize(bundle, FhirResult.Json);
    }

    public static (PatientRecord Record, IReadOnlyList<Resource> Orders) Read(string json, string patientId)
    {
        var bundle = JsonSerializer.Deserialize<Bundle>(json, FhirResult.Json)
            ?? throw new InvalidOperationException("The stored chart is not a Bundle.");
        var resources = bundle.Entry.Select(e => e.Resource).OfType<Resource>().ToList();
        var gaps = resources.OfType<OperationOutcome>()
            .SelectMany(o => o.Issue)
            .Select(i => new RecordGap(i.Expression.FirstOrDefault() ?? "", i.Details?.Text ?? "", i.Diagnostics ?? ""))
            .ToList();
        var orders = resources.Where(r => OrderTypes.Contains(r.TypeName)).ToList();
        return (PatientRecord.Assemble(patientId, resources, gaps), orders);
    }
}
