using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>Access-token signing keys in the forms <c>BackendServices:SigningKey</c> accepts.</summary>
internal static class TestSigningKeys
{
    public static string EcP256PrivateJwk(string? keyId = null) => EcPrivateJwk(ECCurve.NamedCurves.nistP256, "P-256", keyId);

    public static string EcPrivateJwk(ECCurve curve, string crv, string? keyId = null)
    {
        using var ecdsa = ECDsa.Create(curve);
        var p = ecdsa.ExportParameters(includePrivateParameters: true);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = crv,
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            ["d"] = Base64UrlEncoder.Encode(p.D),
        };
        if (keyId is not null)
        {
            jwk["kid"] = keyId;
        }

        return JsonSerializer.Serialize(jwk);
    }

    public static string RsaPrivateJwk(int bits = 2048)
    {
        using var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["d"] = Base64UrlEncoder.Encode(p.D),
            ["p"] = Base64UrlEncoder.Encode(p.P),
            ["q"] = Base64UrlEncoder.Encode(p.Q),
            ["dp"] = Base64UrlEncoder.Encode(p.DP),
            ["dq"] = Base64UrlEncoder.Encode(p.DQ),
            ["qi"] = Base64UrlEncoder.Encode(p.InverseQ),
        });
    }

    /// <summary>The public half of a private JWK, for checking a signature in a test.</summary>
    public static SecurityKey PublicKeyOf(string privateJwk)
    {
        var jwk = new JsonWebKey(privateJwk);
        jwk.D = null;
        jwk.P = null;
        jwk.Q = null;
        jwk.DP = null;
        jwk.DQ = null;
        jwk.QI = null;
        return jwk;
    }

    public static string EcPkcs8Pem()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return ecdsa.ExportPkcs8PrivateKeyPem();
    }

    public static string RsaPkcs1Pem()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportRSAPrivateKeyPem();
    }
}
