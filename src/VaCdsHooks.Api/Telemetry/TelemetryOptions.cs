using OpenTelemetry.Exporter;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Api.Telemetry;

/// <summary>
/// Where traces and metrics go (section <c>OpenTelemetry</c>). Nothing is exported unless a collector is named here
/// or by the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTelemetry";
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The OTLP collector, e.g. <c>http://otel-collector:4317</c>. Takes precedence over the environment variable.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (port 4317) or <c>HttpProtobuf</c> (port 4318); unset: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else gRPC.</summary>
    public OtlpExportProtocol? OtlpProtocol { get; set; }

    /// <summary>Exporter settings for one signal; null when no collector is configured.</summary>
    internal OtlpExporterOptions? ExporterFor(string signalPath)
    {
        // The parameterless constructor reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint, protocol, headers).
        if (OtlpEndpoint is null && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)))
        {
            return null;
        }

        var exporter = new OtlpExporterOptions();
        if (OtlpProtocol is { } protocol)
        {
            exporter.Protocol = protocol;
        }

        if (OtlpEndpoint is { } endpoint)
        {
            // An endpoint set in code is used as given; over HTTP each signal has its own path under the collector's root.
            exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + signalPath)
                : endpoint;
        }

        return exporter;
    }
}

/// <summary>Start-up validation of <c>OpenTelemetry</c>; each message names its key.</summary>
internal sealed class TelemetryOptionsValidation : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        if (options.OtlpEndpoint is { } endpoint && !(endpoint.IsAbsoluteUri && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)} must be an absolute http(s) URL; got '{endpoint}'.");
        }

        if (options.OtlpProtocol is { } protocol && !Enum.IsDefined(protocol))
        {
            errors.Add($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpProtocol)} must be Grpc or HttpProtobuf; got '{protocol}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
