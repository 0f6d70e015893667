using Hl7.Fhir.Model;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.CdsHooks;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>A hook request that passed validation, with its orders parsed once.</summary>
public sealed class HookCall
{
    public required CdsServiceDefinition Service { get; init; }
    public required CrdHookRequest Request { get; init; }
    public required string PatientId { get; init; }

    /// <summary>Orders carried in the context itself (draft orders, appointments), as received.</summary>
    public required IReadOnlyList<Resource> InlineOrders { get; init; }

    /// <summary>References of orders the context only names (order-dispatch); read from prefetch or the EHR.</summary>
    public required IReadOnlyList<string> OrderReferences { get; init; }

    public required CrdRequestOptions Options { get; init; }

    /// <summary>Prefetch keys whose value was not usable FHIR; they count as not prefetched.</summary>
    public IReadOnlyList<string> UnusablePrefetch { get; init; } = [];

    public Uri? FhirServer { get; init; }
    public string? AccessToken { get; init; }
}
