namespace VaCdsHooks.Storage;

/// <summary>
/// One hook invocation and the response we gave (CRD 5.10: kept for dispute resolution).
/// The bodies are stored byte-for-byte as text so a dispute can be settled on exactly what was exchanged.
/// </summary>
public sealed record HookExchangeRecord
{
    /// <summary>Assigned by the database; ignored on write, set on read.</summary>
    public long Id { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The CDS service id from the request path, e.g. <c>order-sign-crd</c>.</summary>
    public required string ServiceId { get; init; }

    /// <summary>The hook name, e.g. <c>order-sign</c>.</summary>
    public required string Hook { get; init; }

    public required string HookInstance { get; init; }

    /// <summary>The <c>iss</c> of the client's JWT; null when the call was not authenticated.</summary>
    public string? ClientIssuer { get; init; }

    public string? Tenant { get; init; }

    /// <summary>The patient id from the hook context, when there is one.</summary>
    public string? PatientId { get; init; }

    /// <summary>The request body exactly as received.</summary>
    public required string RequestBody { get; init; }

    /// <summary>The response body exactly as sent; null when no body was produced.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>
    /// The chart the decision was made on (prefetch plus what was read from the EHR, and the orders), as a FHIR
    /// Bundle; kept when documentation was requested, so the answers can be re-evaluated against the same chart.
    /// </summary>
    public string? RecordBundle { get => Chart?.Bundle; init => Chart = value is null ? null : new HookExchangeChart(value); }

    // The chart lives in a table of its own (hook_exchange_charts): only calls that asked for documentation carry
    // one, and the log rows stay narrow. EF Core maps that optional row as this owned value.
    internal HookExchangeChart? Chart { get; private init; }

    public required int HttpStatus { get; init; }

    public required double DurationMs { get; init; }
}

internal sealed record HookExchangeChart(string Bundle);
