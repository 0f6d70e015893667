using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>The key that signs DTR access tokens and verifies them again in the <c>DtrBearer</c> scheme.</summary>
internal sealed class AccessTokenSigningKey
{
    private const int MinimumRsaKeyBits = 2048;

    private AccessTokenSigningKey(SecurityKey key, string algorithm, bool generated)
    {
        Key = key;
        Algorithm = algorithm;
        Generated = generated;
        Credentials = new SigningCredentials(key, algorithm);
    }

    public SecurityKey Key { get; }

    public string KeyId => Key.KeyId;

    /// <summary>ES256/ES384/ES512 by curve, RS256 for RSA.</summary>
    public string Algorithm { get; }

    /// <summary>Whether the key was generated at start because none was configured.</summary>
    public bool Generated { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>A fresh P-256 key for a single instance without configuration.</summary>
    public static AccessTokenSigningKey Generate(string? keyId) =>
        Create(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), keyId, generated: true, out _)!;

    /// <summary>
    /// Reads a private JWK or PEM key. Returns null with <paramref name="problem"/> set when the text is not a usable
    /// private signature key; the message never contains key material.
    /// </summary>
    public static AccessTokenSigningKey? TryRead(string text, string? keyId, out string? problem)
    {
        var trimmed = text.Trim();
        try
        {
            var key = trimmed.StartsWith('{') ? ReadJwk(trimmed, out problem)
                : trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal) ? ReadPem(trimmed, out problem)
                : Unusable("is neither a JWK (JSON object) nor a PEM private key", out problem);
            return key is null ? null : Create(key, keyId ?? (key as JsonWebKey)?.Kid, generated: false, out problem);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or CryptographicException or NotSupportedException)
        {
            problem = $"could not be read as a private key ({ex.GetType().Name})";
            return null;
        }
    }

    private static JsonWebKey? ReadJwk(string json, out string? problem)
    {
        var jwk = new JsonWebKey(json);
        problem = jwk.Kty switch
        {
            JsonWebAlgorithmsKeyTypes.EllipticCurve when jwk.Crv is not ("P-256" or "P-384" or "P-521") =>
                "is an EC key on a curve other than P-256, P-384 or P-521",
            JsonWebAlgorithmsKeyTypes.EllipticCurve or JsonWebAlgorithmsKeyTypes.RSA when !jwk.HasPrivateKey =>
                jwk.Kty == JsonWebAlgorithmsKeyTypes.RSA ? "has no private part (d, p, q, dp, dq, qi)" : "has no private part (d)",
            JsonWebAlgorithmsKeyTypes.EllipticCurve or JsonWebAlgorithmsKeyTypes.RSA => null,
            _ => "is not an EC or RSA key (kty)",
        };
        return problem is null ? jwk : null;
    }

    private static SecurityKey? ReadPem(string pem, out string? problem)
    {
        problem = null;
        if (pem.Contains("ENCRYPTED", StringComparison.Ordinal))
        {
            return Unusable("is an encrypted PEM key; give it unencrypted (protect the file or secret instead)", out problem);
        }

        if (pem.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }

        if (!pem.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal) && !pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return Unusable("is not a PEM private key (EC PRIVATE KEY, RSA PRIVATE KEY or PRIVATE KEY)", out problem);
        }

        // PKCS#8 does not say which family it holds until it is imported.
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa);
        }
        catch (CryptographicException) when (pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            ecdsa.Dispose();
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
    }

    private static AccessTokenSigningKey? Create(SecurityKey key, string? keyId, bool generated, out string? problem)
    {
        var isRsa = key is RsaSecurityKey || key is JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA };
        if (isRsa && key.KeySize < MinimumRsaKeyBits)
        {
            problem = $"is an RSA key of fewer than {MinimumRsaKeyBits} bits";
            return null;
        }

        var algorithm = isRsa ? SecurityAlgorithms.RsaSha256 : key.KeySize switch
        {
            256 => SecurityAlgorithms.EcdsaSha256,
            384 => SecurityAlgorithms.EcdsaSha384,
            _ => SecurityAlgorithms.EcdsaSha512,
        };

        // Sign once now: key material that does not make a key (a point off its curve, a mismatched private part)
        // must stop start-up, not the first token request.
        var provider = key.CryptoProviderFactory.CreateForSigning(key, algorithm);
        key.CryptoProviderFactory.ReleaseSignatureProvider(provider);

        // RFC 7638 thumbprint of the public key when no kid is configured or given.
        key.KeyId = keyId ?? Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        problem = null;
        return new AccessTokenSigningKey(key, algorithm, generated);
    }

    private static SecurityKey? Unusable(string reason, out string? problem)
    {
        problem = reason;
        return null;
    }
}
