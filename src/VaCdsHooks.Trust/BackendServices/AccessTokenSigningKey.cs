using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>The key that signs DTR access tokens and verifies them again in the <c>DtrBearer</c> scheme.</summary>
internal sealed class AccessTokenSigningKey : IDisposable
{
    private const int MinimumRsaKeyBits = 2048;

    private readonly AsymmetricAlgorithm _algorithm;

    private AccessTokenSigningKey(AsymmetricAlgorithm algorithm, SecurityKey key, string jwsAlgorithm, bool generated)
    {
        _algorithm = algorithm;
        Key = key;
        Algorithm = jwsAlgorithm;
        Generated = generated;
        Credentials = new SigningCredentials(key, jwsAlgorithm);
    }

    public SecurityKey Key { get; }

    public string KeyId => Key.KeyId;

    /// <summary>ES256/ES384/ES512 by curve, RS256 for RSA.</summary>
    public string Algorithm { get; }

    /// <summary>Whether the key was generated at start because none was configured.</summary>
    public bool Generated { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>A fresh P-256 key for a single instance without configuration.</summary>
    public static AccessTokenSigningKey Generate(string? keyId)
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return FromEc(ecdsa, keyId, generated: true);
    }

    /// <summary>
    /// Reads a private JWK or PEM key. Returns null with <paramref name="problem"/> set when the text is not a usable
    /// private signature key; the message never contains key material.
    /// </summary>
    public static AccessTokenSigningKey? TryRead(string text, string? keyId, out string? problem)
    {
        problem = null;
        var trimmed = text.Trim();
        try
        {
            if (trimmed.StartsWith('{'))
            {
                return ReadJwk(trimmed, keyId, out problem);
            }

            if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                return ReadPem(trimmed, keyId, out problem);
            }

            problem = "is neither a JWK (JSON object) nor a PEM private key";
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or CryptographicException or ArgumentException)
        {
            problem = $"could not be read as a private key ({ex.GetType().Name})";
            return null;
        }
    }

    public void Dispose() => _algorithm.Dispose();

    private static AccessTokenSigningKey? ReadJwk(string json, string? keyId, out string? problem)
    {
        problem = null;
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        var jwk = document.RootElement;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            problem = "is not a JWK object";
            return null;
        }

        keyId ??= GetString(jwk, "kid");
        switch (GetString(jwk, "kty"))
        {
            case "EC":
                var curve = GetString(jwk, "crv") switch
                {
                    "P-256" => (ECCurve?)ECCurve.NamedCurves.nistP256,
                    "P-384" => ECCurve.NamedCurves.nistP384,
                    "P-521" => ECCurve.NamedCurves.nistP521,
                    _ => null,
                };
                var d = GetBytes(jwk, "d");
                if (curve is null || d is null)
                {
                    problem = curve is null ? "is an EC key on a curve other than P-256, P-384 or P-521" : "has no private part (d)";
                    return null;
                }

                var ec = new ECParameters { Curve = curve.Value, D = d, Q = new ECPoint { X = GetBytes(jwk, "x"), Y = GetBytes(jwk, "y") } };
                return FromEc(ECDsa.Create(ec), keyId, generated: false);

            case "RSA":
                var rsaParameters = new RSAParameters
                {
                    Modulus = GetBytes(jwk, "n"),
                    Exponent = GetBytes(jwk, "e"),
                    D = GetBytes(jwk, "d"),
                    P = GetBytes(jwk, "p"),
                    Q = GetBytes(jwk, "q"),
                    DP = GetBytes(jwk, "dp"),
                    DQ = GetBytes(jwk, "dq"),
                    InverseQ = GetBytes(jwk, "qi"),
                };
                if (rsaParameters.D is null || rsaParameters.P is null || rsaParameters.Q is null)
                {
                    problem = "has no private part (d, p, q, dp, dq, qi)";
                    return null;
                }

                var rsa = RSA.Create();
                rsa.ImportParameters(rsaParameters);
                return FromRsa(rsa, keyId, out problem);

            default:
                problem = "is not an EC or RSA key (kty)";
                return null;
        }
    }

    private static AccessTokenSigningKey? ReadPem(string pem, string? keyId, out string? problem)
    {
        problem = null;
        if (pem.Contains("ENCRYPTED", StringComparison.Ordinal))
        {
            problem = "is an encrypted PEM key; give it unencrypted (protect the file or secret instead)";
            return null;
        }

        if (pem.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal))
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return FromEc(ecdsa, keyId, generated: false);
        }

        if (pem.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return FromRsa(rsa, keyId, out problem);
        }

        if (pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            // PKCS#8 does not say which family it holds until it is imported.
            var ecdsa = ECDsa.Create();
            try
            {
                ecdsa.ImportFromPem(pem);
                return FromEc(ecdsa, keyId, generated: false);
            }
            catch (CryptographicException)
            {
                ecdsa.Dispose();
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return FromRsa(rsa, keyId, out problem);
            }
        }

        problem = "is not a PEM private key (EC PRIVATE KEY, RSA PRIVATE KEY or PRIVATE KEY)";
        return null;
    }

    private static AccessTokenSigningKey FromEc(ECDsa ecdsa, string? keyId, bool generated)
    {
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var (crv, algorithm) = ecdsa.KeySize switch
        {
            256 => ("P-256", SecurityAlgorithms.EcdsaSha256),
            384 => ("P-384", SecurityAlgorithms.EcdsaSha384),
            521 => ("P-521", SecurityAlgorithms.EcdsaSha512),
            _ => throw new CryptographicException("Unsupported EC curve."),
        };

        // RFC 7638: members in lexicographic order, no whitespace.
        var thumbprintInput = $"{{\"crv\":\"{crv}\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(parameters.Q.X)}\",\"y\":\"{Base64UrlEncoder.Encode(parameters.Q.Y)}\"}}";
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = keyId ?? Thumbprint(thumbprintInput) };
        return new AccessTokenSigningKey(ecdsa, key, algorithm, generated);
    }

    private static AccessTokenSigningKey? FromRsa(RSA rsa, string? keyId, out string? problem)
    {
        if (rsa.KeySize < MinimumRsaKeyBits)
        {
            rsa.Dispose();
            problem = $"is an RSA key of fewer than {MinimumRsaKeyBits} bits";
            return null;
        }

        problem = null;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var thumbprintInput = $"{{\"e\":\"{Base64UrlEncoder.Encode(parameters.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64UrlEncoder.Encode(parameters.Modulus)}\"}}";
        var key = new RsaSecurityKey(rsa) { KeyId = keyId ?? Thumbprint(thumbprintInput) };
        return new AccessTokenSigningKey(rsa, key, SecurityAlgorithms.RsaSha256, generated: false);
    }

    private static string Thumbprint(string canonicalJwk) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJwk)));

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? GetBytes(JsonElement obj, string name) =>
        GetString(obj, name) is { Length: > 0 } text ? Base64UrlEncoder.DecodeBytes(text) : null;
}
