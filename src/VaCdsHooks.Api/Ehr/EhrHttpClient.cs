using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using VaCdsHooks.Api.CdsHooks;

namespace VaCdsHooks.Api.Ehr;

/// <summary>Thrown when the EHR's FHIR server answers with more bytes than <see cref="CdsServicesOptions.MaxFhirResponseBytes"/>.</summary>
public sealed class EhrResponseTooLargeException(long limit)
    : HttpRequestException($"The EHR's FHIR server answered with more than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// The HttpClient for the EHR's FHIR server: no redirects, a cap on response size, and a resilience pipeline that
/// never outlasts the fetch budget.
/// </summary>
public static class EhrHttpClient
{
    public static IServiceCollection AddEhrFhirHttpClient(this IServiceCollection services)
    {
        services.AddTransient<ResponseSizeLimitHandler>();

        // One pooled handler for all EHR FHIR calls. No redirects: a redirect could carry the EHR's token elsewhere.
        services.AddHttpClient(PatientRecordAssembler.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(2),
            })
            // Outside the resilience handler: an oversized answer is not retried, and its body is cut off as it streams in.
            .AddHttpMessageHandler<ResponseSizeLimitHandler>()
            .AddResilienceHandler("ehr-fhir", (pipeline, context) =>
            {
                var budget = context.ServiceProvider.GetRequiredService<IOptions<CdsServicesOptions>>().Value.FetchBudget;

                // The whole call, retries included, ends with the budget (the assembler's own deadline is the same).
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = budget });

                // Only reads are retried (every call to the EHR is a GET; a write would not be), only on transient
                // failures (5xx, 408, 429, connection errors, an attempt timing out), and only while the budget lasts.
                var retry = new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.FromMilliseconds(Math.Clamp(budget.TotalMilliseconds / 20, 10, 200)),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                };
                retry.DisableForUnsafeHttpMethods();
                pipeline.AddRetry(retry);

                // An EHR that keeps failing is left alone for a few seconds instead of being asked again on every hook.
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 50,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(5),
                });

                // One hung attempt may not eat the whole budget: a retry still fits after it.
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = budget / 2 });
            })
            // One breaker per EHR FHIR server: one EHR's outage does not stop reads from another.
            .SelectPipelineByAuthority();

        return services;
    }
}

/// <summary>
/// Refuses an EHR answer larger than the configured cap: at once when its Content-Length says so, otherwise while
/// the body is read (chunked answers have no length).
/// </summary>
public sealed class ResponseSizeLimitHandler(IOptions<CdsServicesOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxFhirResponseBytes;
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentLength is { } length && length > limit)
        {
            response.Dispose();
            throw new EhrResponseTooLargeException(limit);
        }

        var original = response.Content;
        var limited = new StreamContent(new LimitedStream(await original.ReadAsStreamAsync(cancellationToken), limit));
        foreach (var header in original.Headers)
        {
            limited.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = limited;
        return response;
    }

    /// <summary>A read-only stream that throws once more than <c>limit</c> bytes have come through.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new EhrResponseTooLargeException(limit) : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
