using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Browser origins allowed to call the hooks (CDS Hooks recommends CORS for browser-based EHRs). Configured origins
    /// replace the default; with none configured (or just "*") any origin may call, which is safe because the hooks
    /// take bearer tokens, never cookies. The default lives in <see cref="AllowsAnyOrigin"/>, not in this list: the
    /// binder appends configured entries to an initialised list, and a default "*" would survive beside them.
    /// </summary>
    public List<string> CorsOrigins { get; set; } = [];

    public bool AllowsAnyOrigin => CorsOrigins.Count == 0 || CorsOrigins is ["*"];
}

/// <summary>Start-up validation of <c>CdsServices</c> beyond the ranges: each origin must be an origin.</summary>
internal sealed class CdsServicesOptionsValidation : IValidateOptions<CdsServicesOptions>
{
    public ValidateOptionsResult Validate(string? name, CdsServicesOptions options)
    {
        var errors = new List<string>();
        var origins = options.CorsOrigins;
        for (var i = 0; i < origins.Count; i++)
        {
            var key = $"{CdsServicesOptions.Section}:{nameof(CdsServicesOptions.CorsOrigins)}:{i}";
            if (origins[i] == "*")
            {
                if (origins.Count > 1)
                {
                    // Most likely two configuration sources merged; either way the intent is unclear.
                    errors.Add($"{key} is '*' beside other origins; list the origins, or '*' alone for any origin.");
                }
            }
            else if (!Uri.TryCreate(origins[i], UriKind.Absolute, out var uri)
                     || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                     || !string.Equals(uri.GetLeftPart(UriPartial.Authority), origins[i].TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
                     || origins[i].EndsWith('/'))
            {
                errors.Add($"{key} must be an origin such as https://ehr.example.org (scheme, host and port, no path); got '{origins[i]}'.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
