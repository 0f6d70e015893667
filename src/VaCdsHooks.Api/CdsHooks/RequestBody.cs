using System.Buffers;
using System.IO.Pipelines;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>Thrown when a body exceeds the configured limit; the endpoint answers 413.</summary>
public sealed class RequestBodyTooLargeException(long limit) : Exception($"The request body exceeds {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>Reads a request body into memory once, refusing anything over the limit without reading it all.</summary>
public static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            throw new RequestBodyTooLargeException(limit);
        }

        // Kestrel enforces this too; TestServer and other hosts rely on the check below.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        var reader = request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw new RequestBodyTooLargeException(limit);
            }

            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw new RequestBodyTooLargeException(limit);
            }

            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            // Keep everything buffered until the body is complete.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
