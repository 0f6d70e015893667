using System.Collections.Frozen;
using System.Numerics;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>
/// One public key of an EHR, converted once when its JWK Set is loaded, together with the parameters that verify a
/// signature with it. Both are reused for every token signed with the key.
/// </summary>
internal sealed class VerificationKey
{
    private const int MinimumRsaKeyBits = 2048;

    private VerificationKey(SecurityKey key, string? declaredAlgorithm)
    {
        Key = key;
        DeclaredAlgorithm = declaredAlgorithm;
        SignatureValidation = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            // Algorithm, issuer, times, kid and jku are judged once, before the key is looked up; this only verifies.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateIssuerSigningKey = false,
            ValidateTokenReplay = false,
            SaveSigninToken = false,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            AuthenticationType = EhrJwtDefaults.AuthenticationScheme,
        };
    }

    public SecurityKey Key { get; }

    /// <summary>The JWK's own <c>alg</c>, when it pins one.</summary>
    public string? DeclaredAlgorithm { get; }

    public TokenValidationParameters SignatureValidation { get; }

    /// <summary>
    /// Whether this key may verify <paramref name="algorithm"/>: RSA keys for RS*/PS*, and each EC curve only for
    /// its own hash size (RFC 7518 section 3.4), so a token cannot pick a weaker pairing than the key was made for.
    /// </summary>
    public bool CanVerify(string algorithm) =>
        (DeclaredAlgorithm is null || string.Equals(DeclaredAlgorithm, algorithm, StringComparison.Ordinal))
        && Key switch
        {
            RsaSecurityKey => algorithm is "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512",
            ECDsaSecurityKey { KeySize: 256 } => algorithm == "ES256",
            ECDsaSecurityKey { KeySize: 384 } => algorithm == "ES384",
            ECDsaSecurityKey { KeySize: 521 } => algorithm == "ES512",
            _ => false,
        };

    /// <summary>
    /// The usable verification keys of a JWK Set (RFC 7517) by <c>kid</c>. <see cref="JsonWebKeySet.GetSigningKeys"/>
    /// converts the keys (skipping <c>use</c> other than <c>sig</c> and keys it cannot build, such as an EC point off
    /// its curve); kept are RSA of at least 2048 bits and EC on P-256, P-384 or P-521, each with a <c>kid</c>, whose
    /// <c>alg</c> and <c>key_ops</c> (when present) allow verifying one of the accepted algorithms. A <c>kid</c> must be
    /// unique within the set (CDS Hooks 2.0): its first occurrence wins. Throws <see cref="ArgumentException"/> when
    /// <paramref name="json"/> is not a JWK Set.
    /// </summary>
    public static FrozenDictionary<string, VerificationKey> ReadJwks(string json)
    {
        var set = new JsonWebKeySet(json);
        var declaredAlgorithms = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var jwk in set.Keys.ToArray())
        {
            if (string.IsNullOrEmpty(jwk.Kid)
                || declaredAlgorithms.ContainsKey(jwk.Kid)
                || jwk.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
                || (jwk.Alg is { } alg && !EhrJwtDefaults.AcceptedAlgorithms.Contains(alg))
                || (jwk.KeyOps.Count > 0 && !jwk.KeyOps.Contains("verify")))
            {
                set.Keys.Remove(jwk);
                continue;
            }

            declaredAlgorithms.Add(jwk.Kid, jwk.Alg);
            // Only the bare public key counts; a certificate chain would add a second key under the same kid.
            jwk.X5c.Clear();
        }

        return set.GetSigningKeys()
            .Where(key => key is ECDsaSecurityKey || (key is RsaSecurityKey rsa && ModulusBits(rsa) >= MinimumRsaKeyBits))
            .DistinctBy(key => key.KeyId, StringComparer.Ordinal)
            .ToFrozenDictionary(key => key.KeyId, key => new VerificationKey(key, declaredAlgorithms[key.KeyId]), StringComparer.Ordinal);
    }

    // The modulus as sent may carry leading zero bytes, which add nothing to the key's strength.
    private static long ModulusBits(RsaSecurityKey rsa) =>
        rsa.Parameters.Modulus is { } modulus ? new BigInteger(modulus, isUnsigned: true, isBigEndian: true).GetBitLength() : rsa.KeySize;
}
