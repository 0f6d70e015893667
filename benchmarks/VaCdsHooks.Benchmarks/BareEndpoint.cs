using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// The floor for the HTTP part of a hook call: Kestrel with nothing behind it, reading each request body to the end
/// into memory (as the service does before parsing) and answering a small fixed JSON. Run it as its own process,
/// so that it competes for the cores the way the service does.
/// </summary>
public static class BareEndpoint
{
    private static readonly byte[] Answer = Encoding.UTF8.GetBytes("""{"cards":[]}""");

    public static async Task<int> RunAsync(CliOptions options)
    {
        var port = options.Int("--port", 5081, 1, 65535);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://localhost:{port}");
        await using var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Answer.Length;
            await context.Response.Body.WriteAsync(Answer, context.RequestAborted);
        });

        try
        {
            await app.StartAsync();
        }
        catch (IOException ex)
        {
            throw new RunException($"cannot listen on port {port}: {ex.Message}");
        }

        Console.WriteLine($"bare endpoint on http://localhost:{port} (any path; reads the body, answers {Encoding.UTF8.GetString(Answer)}); Ctrl+C to stop");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
