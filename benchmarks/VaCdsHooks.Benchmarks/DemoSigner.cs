using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Benchmarks;

public enum SigningAlgorithm
{
    ES384,
    RS384,
}

/// <summary>
/// One of the Development demo EHR clients and its published private key. JWTs are assembled and signed directly
/// (header, claims, one SignData): a token handler per token would make the generator, not the service, the limit.
/// </summary>
public sealed class DemoSigner
{
    private readonly JsonWebKey _jwk;
    private readonly byte[] _header;

    private DemoSigner(SigningAlgorithm algorithm, string issuer, JsonWebKey jwk)
    {
        Algorithm = algorithm;
        Issuer = issuer;
        _jwk = jwk;
        _header = Encoding.UTF8.GetBytes(Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = algorithm.ToString(),
            ["kid"] = jwk.Kid,
            ["typ"] = "JWT",
        })));
    }

    public SigningAlgorithm Algorithm { get; }

    /// <summary>The key the service checks this client's signatures with (the JWKS entry).</summary>
    public SecurityKey VerificationKey => _jwk;

    /// <summary>The client's issuer, which is also its SMART client id.</summary>
    public string Issuer { get; }

    public static IReadOnlyDictionary<string, SigningAlgorithm> Choices { get; } =
        new Dictionary<string, SigningAlgorithm> { ["ES384"] = SigningAlgorithm.ES384, ["RS384"] = SigningAlgorithm.RS384 };

    /// <summary>The demo client for <paramref name="algorithm"/>, as registered in appsettings.Development.json.</summary>
    public static DemoSigner For(SigningAlgorithm algorithm)
    {
        var (file, issuer) = algorithm switch
        {
            SigningAlgorithm.ES384 => ("demo-ehr-private-jwk.json", "https://demo-ehr.vacdshooks.invalid"),
            _ => ("demo-ehr-rs384-private-jwk.json", "https://demo-ehr-rs384.vacdshooks.invalid"),
        };
        var path = Path.Combine(Repository.Root(), "demo", file);
        return new DemoSigner(algorithm, issuer, new JsonWebKey(File.ReadAllText(path)));
    }

    /// <summary>A CDS Hooks client JWT for <paramref name="audience"/> with a fresh jti.</summary>
    public string HookToken(Key key, string audience) => Sign(key, audience, subject: null, tenant: "demo");

    /// <summary>A SMART Backend Services client assertion (iss = sub = client id) for the token endpoint.</summary>
    public string ClientAssertion(Key key, string tokenEndpoint) => Sign(key, tokenEndpoint, subject: Issuer, tenant: null);

    private string Sign(Key key, string audience, string? subject, string? tenant)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["iat"] = now,
            ["nbf"] = now,
            // The service refuses tokens that live longer than five minutes.
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        if (tenant is not null)
        {
            claims["tenant"] = tenant;
        }

        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signingInput = new byte[_header.Length + 1 + Encoding.UTF8.GetByteCount(payload)];
        _header.CopyTo(signingInput, 0);
        signingInput[_header.Length] = (byte)'.';
        Encoding.UTF8.GetBytes(payload, signingInput.AsSpan(_header.Length + 1));
        return Encoding.UTF8.GetString(signingInput) + "." + Base64Url.EncodeToString(key.Sign(signingInput));
    }

    /// <summary>A private key object; not shared between threads, as the platform does not promise that is safe.</summary>
    public Key CreateKey() => Algorithm == SigningAlgorithm.ES384 ? new Key(EcKey(_jwk), null) : new Key(null, RsaKey(_jwk));

    private static ECDsa EcKey(JsonWebKey jwk) => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP384,
        Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        D = Base64UrlEncoder.DecodeBytes(jwk.D),
    });

    private static RSA RsaKey(JsonWebKey jwk)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
            Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
            D = Base64UrlEncoder.DecodeBytes(jwk.D),
            P = Base64UrlEncoder.DecodeBytes(jwk.P),
            Q = Base64UrlEncoder.DecodeBytes(jwk.Q),
            DP = Base64UrlEncoder.DecodeBytes(jwk.DP),
            DQ = Base64UrlEncoder.DecodeBytes(jwk.DQ),
            InverseQ = Base64UrlEncoder.DecodeBytes(jwk.QI),
        });
        return rsa;
    }

    public sealed class Key(ECDsa? ec, RSA? rsa) : IDisposable
    {
        public byte[] Sign(byte[] data) => ec is not null
            ? ec.SignData(data, HashAlgorithmName.SHA384)
            : rsa!.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);

        public bool Verify(byte[] data, byte[] signature) => ec is not null
            ? ec.VerifyData(data, signature, HashAlgorithmName.SHA384)
            : rsa!.VerifyData(data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);

        public void Dispose()
        {
            ec?.Dispose();
            rsa?.Dispose();
        }
    }

    /// <summary>
    /// How many signatures one core verifies per second with this key (a ~2 s loop on one thread): the floor a
    /// service that checks one signature per call cannot beat.
    /// </summary>
    public double VerificationsPerSecondOnOneCore(TimeSpan duration)
    {
        using var key = CreateKey();
        // A signing input of a typical hook token's size.
        var data = Encoding.UTF8.GetBytes(HookToken(key, "http://localhost:5080/cds-services/vertebral-augmentation-order-sign").Split('.')[1] + new string('x', 120));
        var signature = key.Sign(data);
        for (var i = 0; i < 20; i++)
        {
            key.Verify(data, signature);
        }

        var count = 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            if (!key.Verify(data, signature))
            {
                throw new InvalidOperationException("A signature of our own did not verify.");
            }

            count++;
        }

        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
