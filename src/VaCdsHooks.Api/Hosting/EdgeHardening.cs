using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.Storage;

namespace VaCdsHooks.Api.Hosting;

/// <summary>Minimum upload speed for request bodies (section <c>RequestBody</c>); slower bodies get 408.</summary>
public sealed class RequestBodyRateOptions
{
    public const string Section = "RequestBody";

    /// <summary>Kestrel's default: a client trickling a hook body ties up a connection and its buffers for no reason.</summary>
    [Range(1, 10_000_000)]
    public double MinBytesPerSecond { get; set; } = 240;

    /// <summary>Time a body may start slowly before the rate counts (TLS, a cold client); Kestrel needs more than its 1 s heartbeat.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:05:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The TLS-terminating proxies in front of the service (section <c>ForwardedHeaders</c>). Only their
/// <c>X-Forwarded-Proto</c>/<c>X-Forwarded-For</c> are believed; anyone else's are ignored.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Proxies in a chain to walk back through (one: the load balancer).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>What the service does at its edge: body rate limits, trusted proxies, and client mistakes answered as such.</summary>
public static class EdgeHardening
{
    public static IServiceCollection AddEdgeHardening(this IServiceCollection services)
    {
        services.AddOptions<RequestBodyRateOptions>().BindConfiguration(RequestBodyRateOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyRateOptions>>((kestrel, rate) =>
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(rate.Value.MinBytesPerSecond, rate.Value.GracePeriod));

        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "ForwardedHeaders:KnownProxies must be IP addresses.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "ForwardedHeaders:KnownNetworks must be CIDR networks (10.0.0.0/24).")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = trusted.Value.ForwardLimit;

            // Only what is configured: the framework's default (loopback) would let anything on this host claim https.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in trusted.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        services.AddExceptionHandler<EdgeExceptionHandler>();
        return services;
    }

    /// <summary>First in the pipeline: the scheme and client address are the proxy's word before anything reads them (HSTS, cookies).</summary>
    public static IApplicationBuilder UseTrustedForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();
}

/// <summary>
/// Errors that are not ours to report as 500: a body Kestrel refused while the endpoint read it (broken chunked
/// framing or a connection closed mid-body 400, too slow 408, too large 413), and the database being unavailable
/// (503 with Retry-After). Endpoints catch what they can name; this covers every endpoint that reads a body,
/// <c>/auth/token</c>'s form included.
/// </summary>
internal sealed partial class EdgeExceptionHandler(IProblemDetailsService problems, ILogger<EdgeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title;
        string detail;
        if (exception is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
        {
            status = bad.StatusCode;
            (title, detail) = status switch
            {
                StatusCodes.Status408RequestTimeout => ("Request body too slow", "The request body arrived slower than the minimum data rate."),
                StatusCodes.Status413PayloadTooLarge => ("Request body too large", "The request body exceeds the size limit."),
                _ => ("Malformed request body", "The request body could not be read (broken framing, or the connection closed before it was complete)."),
            };
            LogBadRequest(logger, status, httpContext.Request.Path);
        }
        else if (StorageFailure.Is(exception))
        {
            status = StatusCodes.Status503ServiceUnavailable;
            title = "Temporarily unavailable";
            detail = "The service's database is unavailable right now. Try again after the Retry-After delay.";
            StorageFailure.AdviseRetry(httpContext.Response);
        }
        else
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request body refused with {Status} on {Path}")]
    private static partial void LogBadRequest(ILogger logger, int status, PathString path);
}
