using System.Diagnostics;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Api.Ehr;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// What one hook call costs, stage by stage, in-process on one thread with the service's own code: the token check,
/// reading the body (Firely, strict), assembling the record, the decision with its cards, the answer's JSON and the
/// chart kept for documentation. HTTP, the database and contention are what the load modes add on top.
/// </summary>
internal static class HookStages
{
    public static readonly string[] ValueOptions = [.. HookTarget.ValueOptions, "--iterations"];

    public static int Run(CliOptions options)
    {
        var target = HookTarget.From(options);
        // Fewer calls leave the cheaper stages on the JIT's unoptimized code: 2,000 showed the decision at 5x its warm cost.
        var iterations = options.Int("--iterations", 20_000, 100, 1_000_000);
        var root = Repository.Root();
        var policy = CoveragePolicy.Load(Path.Combine(root, "fhir-resources"), new PolicySettings());
        var advisor = new CoverageAdvisor(policy, new RandomAssertionIdSource());
        var service = new CdsServiceDefinition($"vertebral-augmentation-{target.Hook}", target.Hook, "stages", "stages");
        var assembler = new PatientRecordAssembler(new NoHttpClients(), Microsoft.Extensions.Options.Options.Create(new CdsServicesOptions()), NullLogger<PatientRecordAssembler>.Instance);
        var body = target.Body(fhirServer: null);

        using var key = target.Signer.CreateKey();
        var token = target.Signer.HookToken(key, target.Endpoint);
        var tokens = new JsonWebTokenHandler();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = target.Signer.Issuer,
            ValidAudience = target.Endpoint,
            IssuerSigningKey = target.Signer.VerificationKey,
            ValidAlgorithms = [target.Signer.Algorithm.ToString()],
        };

        HookCall Parse() => HookRequestParser.Parse(body, service, advisor.IsInScope).Call ?? throw new RunException("The example hook body did not parse.");
        AssembledCall Assemble(HookCall call) => assembler.AssembleAsync(call, fhirServerAllowed: false, CancellationToken.None).GetAwaiter().GetResult();
        CoverageAnswer Decide(AssembledCall assembled, HookCall call) =>
            advisor.Advise(new CoverageRequest(call.Service.Hook, assembled.Record, assembled.Orders, DateTimeOffset.UtcNow, call.Options, []));

        var call = Parse();
        var assembled = Assemble(call);
        var answer = Decide(assembled, call);
        var inScope = assembled.Orders.Where(advisor.IsInScope).ToList();
        var stages = new (string Name, Action Work)[]
        {
            ($"token: {target.Signer.Algorithm} JWT validated (signature, issuer, audience, lifetime)", () =>
            {
                if (!tokens.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult().IsValid)
                {
                    throw new RunException("The demo token did not validate.");
                }
            }),
            ($"parse: the {body.Length:N0} byte hook body into FHIR objects (strict)", () => Parse()),
            ("assemble: prefetch into the patient record", () => Assemble(call)),
            ("decide: criteria per treated level, determination, cards", () => Decide(assembled, call)),
            ("answer: the CDS Hooks response as JSON", () => JsonSerializer.SerializeToUtf8Bytes(answer.Response, CdsHooksJson.Options)),
            ("chart: the record kept for documentation, as a FHIR Bundle", () => StoredChart.Write(assembled.Record, inScope)),
        };

        Console.WriteLine($"{target.Hook}, {Path.GetFileName(target.Chart)}: {iterations:N0} iterations per stage on one thread, after as many unmeasured");
        Console.WriteLine($"{"stage",-75} {"µs/call",9} {"KB/call",9}");
        double totalMicroseconds = 0, totalKilobytes = 0, tokenMicroseconds = 0;
        foreach (var (name, work) in stages)
        {
            var (microseconds, kilobytes) = Measure(work, iterations);
            totalMicroseconds += microseconds;
            totalKilobytes += kilobytes;
            tokenMicroseconds = tokenMicroseconds == 0 ? microseconds : tokenMicroseconds;
            Console.WriteLine($"{name,-75} {microseconds,9:F1} {kilobytes,9:F1}");
        }

        Console.WriteLine($"{"total (one core; HTTP, database and contention not included)",-75} {totalMicroseconds,9:F1} {totalKilobytes,9:F1}");
        Console.WriteLine($"at most {1_000_000 / totalMicroseconds * Environment.ProcessorCount:N0} calls/s on {Environment.ProcessorCount} cores from these stages alone; "
            + $"the token stage is {tokenMicroseconds / totalMicroseconds:P0} of them");
        return 0;
    }

    private static (double Microseconds, double Kilobytes) Measure(Action work, int iterations)
    {
        for (var i = 0; i < iterations; i++)
        {
            work();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            work();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (elapsed.TotalMicroseconds / iterations, (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / iterations);
    }

    /// <summary>Full prefetch: the assembler never reads the EHR, so it never asks for a client.</summary>
    private sealed class NoHttpClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("The stages run on full prefetch; nothing is fetched.");
    }
}
