using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using VaCdsHooks.DemoEhr;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

// Usage: dotnet run --project src/VaCdsHooks.DemoEhr -- [example.json] [--hook order-sign] [--service URL] [--no-prefetch] [--new-order | --order-id ID] [--document [conflicting]]
var arguments = DemoArguments.Parse(args);

var repoRoot = DemoArguments.FindRepositoryRoot();
var examplePath = Path.GetFullPath(arguments.Example ?? Path.Combine(repoRoot, "fhir-resources", "examples", "patient-conditional.json"));
var keyPath = Path.Combine(repoRoot, "demo", "demo-ehr-private-jwk.json");

var resources = DemoHookRequest.ReadChart(examplePath);
if (arguments.NewOrder || arguments.OrderId is not null)
{
    // A fresh (or chosen) order id: decisions the payer made on the example's own order do not answer this one.
    var suffix = Guid.NewGuid().ToString("N")[..8];
    foreach (var order in resources.OfType<ServiceRequest>().Where(s => s.Status == RequestStatus.Draft))
    {
        order.Id = arguments.OrderId ?? order.Id + "-" + suffix;
    }
}

var orders = resources.OfType<ServiceRequest>().Where(s => s.Status == RequestStatus.Draft).ToList();

var serviceId = "vertebral-augmentation-" + arguments.Hook;
var endpoint = $"{arguments.Service.TrimEnd('/')}/cds-services/{serviceId}";

var request = DemoHookRequest.Build(resources, arguments.Hook, prefetch: !arguments.NoPrefetch);

var token = DemoToken.Create(keyPath, endpoint);
using var http = new HttpClient();
using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
{
    Content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"),
};
message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

Console.WriteLine($"POST {endpoint}  ({Path.GetFileName(examplePath)}, {orders.Count} draft order(s), prefetch {(arguments.NoPrefetch ? "off" : "on")})");
using var response = await http.SendAsync(message);
var body = await response.Content.ReadAsStringAsync();
Console.WriteLine($"HTTP {(int)response.StatusCode}");
if (!response.IsSuccessStatusCode)
{
    Console.WriteLine(body);
    return 1;
}

using var answer = JsonDocument.Parse(body);
foreach (var card in answer.RootElement.GetProperty("cards").EnumerateArray())
{
    Console.WriteLine();
    Console.WriteLine($"[{card.GetProperty("indicator").GetString()}] {card.GetProperty("summary").GetString()}");
    if (card.TryGetProperty("detail", out var detail))
    {
        Console.WriteLine(detail.GetString());
    }
}

string? assertionToDocument = null;
if (answer.RootElement.TryGetProperty("systemActions", out var actions))
{
    foreach (var action in actions.EnumerateArray())
    {
        var resource = action.GetProperty("resource");
        Console.WriteLine();
        Console.WriteLine($"systemAction {action.GetProperty("type").GetString()} {resource.GetProperty("resourceType").GetString()}/{resource.GetProperty("id").GetString()}:");
        foreach (var extension in resource.GetProperty("extension").EnumerateArray())
        {
            if (!extension.TryGetProperty("extension", out var parts))
            {
                continue;
            }

            foreach (var part in parts.EnumerateArray())
            {
                var value = part.EnumerateObject().First(p => p.Name.StartsWith("value", StringComparison.Ordinal)).Value;
                if (part.GetProperty("url").GetString() == "coverage-assertion-id" && parts.EnumerateArray().Any(p => p.GetProperty("url").GetString() == "doc-needed"))
                {
                    assertionToDocument = value.GetString();
                }

                Console.WriteLine($"  {part.GetProperty("url").GetString(),-22} {(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}");
            }
        }
    }
}

if (arguments.Document)
{
    if (assertionToDocument is null)
    {
        Console.WriteLine();
        Console.WriteLine("--document: the payer asked for no documentation on this order.");
        return 0;
    }

    var coverage = resources.OfType<Coverage>().First();
    var key = new JsonWebKey(File.ReadAllText(keyPath));
    return await new DemoDocumentation(http, arguments.Service.TrimEnd('/'), key, DemoToken.Issuer, arguments.Conflicting).RunAsync(assertionToDocument, coverage);
}

return 0;

internal sealed record DemoArguments(string? Example, string Hook, string Service, bool NoPrefetch, bool Document, bool Conflicting, bool NewOrder, string? OrderId)
{
    public static DemoArguments Parse(string[] args)
    {
        string? example = null;
        var hook = "order-sign";
        var service = "http://localhost:5080";
        var noPrefetch = false;
        var document = false;
        var conflicting = false;
        var newOrder = false;
        string? orderId = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--hook": hook = args[++i]; break;
                case "--service": service = args[++i]; break;
                case "--no-prefetch": noPrefetch = true; break;
                case "--document":
                    document = true;
                    if (i + 1 < args.Length && args[i + 1] == "conflicting")
                    {
                        conflicting = true;
                        i++;
                    }

                    break;
                case "--new-order": newOrder = true; break;
                case "--order-id": orderId = args[++i]; break;
                default: example = args[i]; break;
            }
        }

        return new DemoArguments(example, hook, service, noPrefetch, document, conflicting, newOrder, orderId);
    }

    public static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the demo EHR from inside the repository.");
    }
}

internal static class DemoToken
{
    public const string Issuer = "https://demo-ehr.vacdshooks.invalid";

    /// <summary>A CDS Hooks client JWT signed with the published demo key (Development only).</summary>
    public static string Create(string privateJwksPath, string audience)
    {
        var key = new JsonWebKey(File.ReadAllText(privateJwksPath));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["jti"] = Guid.NewGuid().ToString(), ["tenant"] = "demo" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha384),
            TokenType = "JWT",
        });
    }
}
