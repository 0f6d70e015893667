using System.Security.Cryptography;
using System.Text.Json;
using static VaCdsHooks.Testing.Base64Url;

namespace VaCdsHooks.Testing;

/// <summary>A freshly generated EHR signing key pair for one JWS algorithm (ES256/384/512, RS256/384/512, PS256/384/512).</summary>
public sealed class EhrTestKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private EhrTestKey(string algorithm, string keyId, RSA? rsa, ECDsa? ecdsa)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    /// <summary>The algorithm this key signs with by default.</summary>
    public string Algorithm { get; }

    /// <summary>The <c>kid</c> published in the JWK Set and put in token headers.</summary>
    public string KeyId { get; }

    /// <summary>Generates a key for <paramref name="algorithm"/>; RSA keys are 2048 bits (or <paramref name="rsaKeyBits"/>).</summary>
    public static EhrTestKey Create(string algorithm = "ES384", string? keyId = null, int rsaKeyBits = 2048)
    {
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        keyId ??= $"{algorithm.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20];
        return algorithm switch
        {
            "ES256" => new EhrTestKey(algorithm, keyId, null, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
            "ES384" => new EhrTestKey(algorithm, keyId, null, ECDsa.Create(ECCurve.NamedCurves.nistP384)),
            "ES512" => new EhrTestKey(algorithm, keyId, null, ECDsa.Create(ECCurve.NamedCurves.nistP521)),
            "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" => new EhrTestKey(algorithm, keyId, RSA.Create(rsaKeyBits), null),
            _ => throw new ArgumentException($"'{algorithm}' is not an asymmetric JWS algorithm this factory generates keys for.", nameof(algorithm)),
        };
    }

    /// <summary>The public key as a JWK object (JSON).</summary>
    public string PublicJwkJson
    {
        get
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                WritePublicJwk(writer);
            }

            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
    }

    /// <summary>The public key's SubjectPublicKeyInfo bytes, e.g. as the "secret" of an algorithm-confusion HS256 token.</summary>
    public byte[] PublicKeyBytes => _rsa?.ExportSubjectPublicKeyInfo() ?? _ecdsa!.ExportSubjectPublicKeyInfo();

    /// <summary>Writes the public JWK (kty, kid, use, alg and the public parameters only).</summary>
    public void WritePublicJwk(Utf8JsonWriter writer, bool includeAlgorithm = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (_rsa is not null)
        {
            var parameters = _rsa.ExportParameters(includePrivateParameters: false);
            writer.WriteString("kty", "RSA");
            writer.WriteString("kid", KeyId);
            writer.WriteString("use", "sig");
            if (includeAlgorithm)
            {
                writer.WriteString("alg", Algorithm);
            }

            writer.WriteString("n", Encode(parameters.Modulus!));
            writer.WriteString("e", Encode(parameters.Exponent!));
        }
        else
        {
            var parameters = _ecdsa!.ExportParameters(includePrivateParameters: false);
            writer.WriteString("kty", "EC");
            writer.WriteString("kid", KeyId);
            writer.WriteString("use", "sig");
            if (includeAlgorithm)
            {
                writer.WriteString("alg", Algorithm);
            }

            writer.WriteString("crv", Algorithm switch { "ES256" => "P-256", "ES384" => "P-384", _ => "P-521" });
            writer.WriteString("x", Encode(parameters.Q.X!));
            writer.WriteString("y", Encode(parameters.Q.Y!));
        }

        writer.WriteEndObject();
    }

    /// <summary>Signs <paramref name="signingInput"/> as JWS <paramref name="algorithm"/> requires.</summary>
    public byte[] Sign(string algorithm, byte[] signingInput)
    {
        ArgumentNullException.ThrowIfNull(signingInput);
        var hash = algorithm[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"Cannot sign {algorithm} with this key.", nameof(algorithm)),
        };
        return algorithm[..2] switch
        {
            // JWS wants the raw r||s form for ECDSA (RFC 7518 section 3.4), which is .NET's default.
            "ES" when _ecdsa is not null => _ecdsa.SignData(signingInput, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "RS" when _rsa is not null => _rsa.SignData(signingInput, hash, RSASignaturePadding.Pkcs1),
            "PS" when _rsa is not null => _rsa.SignData(signingInput, hash, RSASignaturePadding.Pss),
            _ => throw new ArgumentException($"Cannot sign {algorithm} with a {(_rsa is null ? "EC" : "RSA")} key.", nameof(algorithm)),
        };
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }
}
