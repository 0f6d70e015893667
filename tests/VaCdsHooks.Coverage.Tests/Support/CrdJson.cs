using System.Text.Json;
using System.Text.Json.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Crd;

namespace VaCdsHooks.Coverage.Tests.Support;

/// <summary>Round-trips an answer through Firely's CDS Hooks serializer, as the EHR would receive it.</summary>
internal static class CrdJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static string Serialize(CrdResponse response) => JsonSerializer.Serialize(response, Options);

    public static CrdResponse RoundTrip(CrdResponse response) => JsonSerializer.Deserialize<CrdResponse>(Serialize(response), Options)!;

    /// <summary>The coverage-information repetitions on the updated order of the n-th system action.</summary>
    public static IReadOnlyList<Extension> CoverageInformation(CrdResponse response, int action = 0) =>
        ((DomainResource)RoundTrip(response).SystemActions![action].Resource!).Extension
            .Where(e => e.Url == CrdCodes.CoverageInformationUrl)
            .ToList();

    public static IReadOnlyList<Extension> Subs(this Extension extension, string url) => extension.Extension.Where(e => e.Url == url).ToList();

    /// <summary>The single value of a sub-extension, asserted to be of type <typeparamref name="T"/>.</summary>
    public static T Value<T>(this Extension extension, string url)
        where T : DataType => Assert.IsType<T>(extension.Subs(url).Single().Value);

    public static string? Code(this Extension extension, string url) => (extension.Subs(url).SingleOrDefault()?.Value as Code)?.Value;

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions().ForCdsHooks();
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
