using System.ComponentModel.DataAnnotations;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>How the CDS Hooks endpoints behave (section <c>CdsServices</c>).</summary>
public sealed class CdsServicesOptions
{
    public const string Section = "CdsServices";

    /// <summary>
    /// Largest hook or feedback body accepted; larger bodies get 413. 8 MiB: a real chart's prefetch (the filtered
    /// templates of a patient with years of history) fits; a runaway body does not.
    /// </summary>
    [Range(16 * 1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Total time for reading what the prefetch lacks from the EHR's FHIR server.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan FetchBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most search pages followed per prefetch template.</summary>
    [Range(1, 100)]
    public int MaxPagesPerQuery { get; set; } = 5;

    /// <summary>
    /// Largest single response read from the EHR's FHIR server; a larger page is dropped and becomes a record gap.
    /// 16 MiB: a page of a long chart fits many times over; a runaway or hostile answer does not fill our memory.
    /// </summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public long MaxFhirResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Browser origins allowed to call the hooks (CDS Hooks recommends CORS for browser-based EHRs). "*" allows any.</summary>
    [MinLength(1)]
    public string[] CorsOrigins { get; set; } = ["*"];
}
