using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>The curve or family of a public key, which decides the JWS algorithms it may verify.</summary>
internal enum KeyFamily
{
    Rsa,
    EcP256,
    EcP384,
    EcP521,
}

/// <summary>One public key from an EHR's JWK Set, converted once so verification never re-parses it.</summary>
internal sealed class EhrVerificationKey
{
    public EhrVerificationKey(string keyId, KeyFamily family, string? declaredAlgorithm, SecurityKey key)
    {
        KeyId = keyId;
        Family = family;
        DeclaredAlgorithm = declaredAlgorithm;
        Key = key;
        // Handed to the signing-key resolver on every request; one array per key avoids an allocation per call.
        AsResolverResult = [key];
    }

    public string KeyId { get; }

    public KeyFamily Family { get; }

    /// <summary>The JWK's own <c>alg</c>, when it pins one.</summary>
    public string? DeclaredAlgorithm { get; }

    public SecurityKey Key { get; }

    public SecurityKey[] AsResolverResult { get; }

    /// <summary>
    /// Whether this key may verify <paramref name="algorithm"/>: RSA keys for RS*/PS*, and each EC curve only for
    /// its own hash size (RFC 7518 section 3.4), so a token cannot pick a weaker pairing than the key was made for.
    /// </summary>
    public bool CanVerify(string algorithm)
    {
        if (DeclaredAlgorithm is not null && !string.Equals(DeclaredAlgorithm, algorithm, StringComparison.Ordinal))
        {
            return false;
        }

        return Family switch
        {
            KeyFamily.Rsa => algorithm is "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512",
            KeyFamily.EcP256 => algorithm == "ES256",
            KeyFamily.EcP384 => algorithm == "ES384",
            KeyFamily.EcP521 => algorithm == "ES512",
            _ => false,
        };
    }

    internal static EhrVerificationKey FromRsa(string keyId, string? algorithm, RSAParameters parameters)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(parameters);
        return new EhrVerificationKey(keyId, KeyFamily.Rsa, algorithm, new RsaSecurityKey(rsa) { KeyId = keyId });
    }

    internal static EhrVerificationKey FromEc(string keyId, string? algorithm, KeyFamily family, ECParameters parameters)
    {
        // ECDsa.Create validates that the point lies on the curve, so an invalid-curve key never reaches verification.
        var ecdsa = ECDsa.Create(parameters);
        return new EhrVerificationKey(keyId, family, algorithm, new ECDsaSecurityKey(ecdsa) { KeyId = keyId });
    }
}
