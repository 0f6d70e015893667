using System.Text.Json;
using System.Text.Json.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Model.CdsHooks;

namespace VaCdsHooks.Coverage.CdsHooks;

// Firely's CDS Hooks model lacks the fields CDS Hooks 2.0 and CRD add (source.topic, service and request
// extensions). System.Text.Json serializes by declared type, so each subclass re-declares the property that
// carries a subclass, and each repeats [CdsHookElement] so Firely's converter factory picks it up. A re-declared
// (`new`) property must not carry [JsonPropertyName]: Firely's resolver already camel-cases it, and an explicit
// name makes System.Text.Json see two properties called e.g. "source" and refuse to serialize the type.

/// <summary>A card source with the CRD card type in <c>topic</c>.</summary>
[CdsHookElement]
public class CrdSource : Source
{
    [JsonPropertyName("topic")]
    public Coding? Topic { get; set; }
}

/// <summary>A card whose source carries a CRD card type.</summary>
[CdsHookElement]
public class CrdCard : Card
{
    public new CrdSource? Source { get; set; }
}

/// <summary>The hook response: CRD cards and system actions.</summary>
[CdsHookElement]
public class CrdResponse : Response
{
    public new List<CrdCard> Cards { get; set; } = [];
}

/// <summary>A discovery entry with the CDS Hooks 2.0 <c>extension</c> object (CRD configuration options, version).</summary>
[CdsHookElement]
public class CrdService : Service
{
    [JsonPropertyName("extension")]
    public Dictionary<string, JsonElement>? Extension { get; set; }
}

/// <summary>The discovery document of CRD services.</summary>
[CdsHookElement]
public class CrdDiscoveryResponse : DiscoveryResponse
{
    public new List<CrdService> Services { get; set; } = [];
}

/// <summary>A hook request with the CDS Hooks 2.0 <c>extension</c> object (CRD sends <c>davinci-crd.configuration</c> there).</summary>
[CdsHookElement]
public class CrdHookRequest : Request
{
    [JsonPropertyName("extension")]
    public Dictionary<string, JsonElement>? Extension { get; set; }
}

/// <summary>
/// Card feedback. Firely names the timestamp <c>outcomeTimeStamp</c>; CDS Hooks 2.0 spells it
/// <c>outcomeTimestamp</c>, so the property is re-declared with the specification's name.
/// </summary>
[CdsHookElement]
public class CdsFeedback : Feedback
{
    [JsonPropertyName("outcomeTimestamp")]
    public new string? OutcomeTimeStamp { get; set; }
}
