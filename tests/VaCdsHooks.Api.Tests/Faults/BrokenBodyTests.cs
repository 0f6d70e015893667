using System.Net;
using System.Net.Sockets;
using System.Text;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.Faults;

/// <summary>The service on a real Kestrel port: only a socket exercises Kestrel's own body parsing and data-rate checks.</summary>
public sealed class KestrelApiFactory : ApiFactory
{
    public KestrelApiFactory()
    {
        // A short grace period so a stalled body is caught in about two seconds, not five.
        Settings["RequestBody:GracePeriod"] = "00:00:02";
        Settings["RequestBody:MinBytesPerSecond"] = "100";
        Port = FreePort();
        UseKestrel(Port);
        StartServer();
    }

    public int Port { get; }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A body that breaks its chunked framing, stops half-way (the client closes its side), or trickles in slower than the
/// minimum data rate is the client's fault: 400 or 408 with a ProblemDetails, never 500, on every endpoint that reads
/// a body.
/// </summary>
public sealed class BrokenBodyTests(KestrelApiFactory factory) : IClassFixture<KestrelApiFactory>
{
    private const string OrderSign = "vertebral-augmentation-order-sign";

    public enum Fault
    {
        BrokenChunk,
        ClosedMidBody,
        TooSlow,
    }

    public static TheoryData<string, Fault> Cases()
    {
        var data = new TheoryData<string, Fault>();
        foreach (var endpoint in new[] { "hook", "feedback", "token", "questionnaire-response", "questionnaire-package" })
        {
            foreach (var fault in Enum.GetValues<Fault>())
            {
                data.Add(endpoint, fault);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_broken_or_slow_body_is_answered_400_or_408_never_500(string endpoint, Fault fault)
    {
        var (path, contentType, authorization) = await TargetAsync(endpoint);
        var errorsBefore = factory.Errors.Text;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, factory.Port);
        var stream = tcp.GetStream();

        var head = new StringBuilder()
            .Append("POST ").Append(path).Append(" HTTP/1.1\r\n")
            .Append("Host: localhost\r\n")
            .Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (authorization is not null)
        {
            head.Append("Authorization: Bearer ").Append(authorization).Append("\r\n");
        }

        head.Append(fault == Fault.BrokenChunk ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 4000\r\n").Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));

        switch (fault)
        {
            case Fault.BrokenChunk:
                // A valid first chunk, then a chunk size that is not hexadecimal.
                await stream.WriteAsync(Encoding.ASCII.GetBytes("5\r\n{\"a\":\r\nZZ-not-a-size\r\n\r\n"));
                break;
            case Fault.ClosedMidBody:
                await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"hookInstance\":\"d1577c69"));
                tcp.Client.Shutdown(SocketShutdown.Send);
                break;
            case Fault.TooSlow:
                // A few bytes, then nothing: far below 100 bytes/s once the two-second grace period is over.
                await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"a\""));
                break;
        }

        var (status, response) = await ReadStatusAsync(stream);

        if (fault == Fault.ClosedMidBody)
        {
            // Kestrel treats the closed side as the end of the connection: no one is left to answer, and nothing
            // inside failed (no 500, no error logged).
            Assert.True(status is 0 or 400, $"{endpoint}: got\n{response}");
            Assert.Equal(errorsBefore, factory.Errors.Text);
            return;
        }

        var expected = fault == Fault.TooSlow ? 408 : 400;
        Assert.True(status == expected, $"{endpoint} {fault}: expected {expected}, got:\n{response}\n{factory.Errors.Text}");
        Assert.Contains("application/problem+json", response, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(string Path, string ContentType, string? Authorization)> TargetAsync(string endpoint) => endpoint switch
    {
        "hook" => ($"/cds-services/{OrderSign}", "application/json", factory.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}")),
        "feedback" => ($"/cds-services/{OrderSign}/feedback", "application/json", factory.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}/feedback")),
        "token" => ("/auth/token", "application/x-www-form-urlencoded", null),
        "questionnaire-response" => ("/fhir/QuestionnaireResponse", "application/fhir+json", await factory.DtrAccessTokenAsync()),
        "questionnaire-package" => ("/fhir/Questionnaire/$questionnaire-package", "application/fhir+json", await factory.DtrAccessTokenAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    /// <summary>Reads the response head and whatever body arrives; "does not hang" is the only time bound.</summary>
    private static async Task<(int Status, string Text)> ReadStatusAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = received.ToString();
                if (text.Contains("\r\n\r\n", StringComparison.Ordinal) && (text.Contains("}", StringComparison.Ordinal) || text.Contains("Content-Length: 0", StringComparison.OrdinalIgnoreCase)))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The server may reset the connection right after answering.
        }

        var all = received.ToString();
        var parts = all.Split(' ', 3);
        return (parts.Length > 1 && int.TryParse(parts[1], out var status) ? status : 0, all);
    }
}
