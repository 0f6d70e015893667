using System.Diagnostics;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// Hook tokens signed before the clock starts, one unique jti each: the EHR's signing cost is not ours to measure,
/// and a generator that signs while it measures caps the rate it can offer. Running out is reported, never hidden.
/// </summary>
public sealed class TokenPool
{
    private readonly string[] _tokens;
    private readonly DemoSigner _signer;
    private readonly string _audience;
    private int _next = -1;
    private int _signedLate;

    private TokenPool(DemoSigner signer, string audience, string[] tokens)
    {
        _signer = signer;
        _audience = audience;
        _tokens = tokens;
    }

    public int Count => _tokens.Length;

    public int Used => Math.Min(Volatile.Read(ref _next) + 1, _tokens.Length);

    /// <summary>Requests that found the pool empty and had a token signed on the spot.</summary>
    public int SignedLate => Volatile.Read(ref _signedLate);

    /// <summary>Signs <paramref name="count"/> tokens on every core, or reads them from <paramref name="file"/>.</summary>
    public static TokenPool Create(DemoSigner signer, string audience, int count, string? file)
    {
        if (file is not null && File.Exists(file))
        {
            var lines = File.ReadAllLines(file);
            var expected = Header(signer, audience);
            var age = DateTime.UtcNow - File.GetLastWriteTimeUtc(file);
            if (lines.Length > 1 && lines[0] == expected && age < TimeSpan.FromMinutes(4))
            {
                Console.WriteLine($"tokens: {lines.Length - 1} read from {file} (signed {age.TotalSeconds:F0} s ago; each is accepted once by a fresh service)");
                return new TokenPool(signer, audience, lines[1..]);
            }

            Console.WriteLine($"tokens: {file} is {(lines.FirstOrDefault() == expected ? "too old (tokens live 5 minutes)" : "for another algorithm or endpoint")}; signing new ones");
        }

        var started = Stopwatch.GetTimestamp();
        var tokens = new string[count];
        Parallel.For(0, count, signer.CreateKey, (i, _, key) =>
        {
            tokens[i] = signer.HookToken(key, audience);
            return key;
        }, key => key.Dispose());
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"tokens: {count} {signer.Algorithm} tokens pre-signed in {seconds:F1} s ({count / seconds:F0}/s on {Environment.ProcessorCount} cores)");
        if (file is not null)
        {
            File.WriteAllLines(file, [Header(signer, audience), .. tokens]);
            Console.WriteLine($"tokens: written to {file}");
        }

        return new TokenPool(signer, audience, tokens);
    }

    public string Next()
    {
        var index = Interlocked.Increment(ref _next);
        if (index < _tokens.Length)
        {
            return _tokens[index];
        }

        Interlocked.Increment(ref _signedLate);
        using var key = _signer.CreateKey();
        return _signer.HookToken(key, _audience);
    }

    /// <summary>Prints how many tokens were used, and shouts when the supply ran out.</summary>
    public void Report()
    {
        Console.WriteLine($"tokens: {Used} of {Count} pre-signed tokens used");
        if (SignedLate > 0)
        {
            var warning = $"""
                !!! TOKEN SUPPLY EXHAUSTED: {SignedLate} requests had their token signed during the run.
                !!! The generator, not the service, may have set the throughput. Raise --rate (or --tokens-file) and run again.
                """;
            Console.WriteLine(warning);
            Console.Error.WriteLine(warning);
        }
    }

    private static string Header(DemoSigner signer, string audience) => $"# {signer.Algorithm} {signer.Issuer} {audience}";
}
