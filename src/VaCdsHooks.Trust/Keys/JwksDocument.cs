using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>The usable verification keys of one JWK Set, looked up by <c>kid</c>.</summary>
internal sealed class KeySnapshot
{
    private readonly FrozenDictionary<string, EhrVerificationKey> _keysById;

    public KeySnapshot(IEnumerable<EhrVerificationKey> keys, DateTimeOffset loadedAt)
    {
        _keysById = keys.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
        LoadedAt = loadedAt;
    }

    public DateTimeOffset LoadedAt { get; }

    public int Count => _keysById.Count;

    public EhrVerificationKey? Find(string keyId) => _keysById.GetValueOrDefault(keyId);
}

/// <summary>
/// Reads a JWK Set (RFC 7517) into verification keys. Only public signature keys are kept: RSA of at least 2048 bits
/// and EC on P-256, P-384 or P-521. Symmetric (<c>oct</c>) keys, encryption keys and keys without a <c>kid</c> are
/// skipped, because CDS Hooks tokens are asymmetric and name their key by <c>kid</c>.
/// </summary>
internal static class JwksDocument
{
    private const int MinimumRsaKeyBits = 2048;

    /// <summary>Parses <paramref name="json"/>; throws <see cref="JsonException"/> when it is not a JWK Set.</summary>
    public static KeySnapshot Parse(byte[] json, DateTimeOffset loadedAt)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys)
            || keys.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("A JWK Set is an object with a \"keys\" array.");
        }

        var usable = new List<EhrVerificationKey>();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var jwk in keys.EnumerateArray())
        {
            if (TryRead(jwk) is { } key && seenIds.Add(key.KeyId))
            {
                // A kid must be unique within the set (CDS Hooks 2.0); the first occurrence wins.
                usable.Add(key);
            }
        }

        return new KeySnapshot(usable, loadedAt);
    }

    public static KeySnapshot Parse(string json, DateTimeOffset loadedAt) =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), loadedAt);

    private static EhrVerificationKey? TryRead(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var keyId = GetString(jwk, "kid");
        if (string.IsNullOrEmpty(keyId))
        {
            return null;
        }

        if (GetString(jwk, "use") is { } use && use != "sig")
        {
            return null;
        }

        if (jwk.TryGetProperty("key_ops", out var ops) && !AllowsVerify(ops))
        {
            return null;
        }

        var algorithm = GetString(jwk, "alg");
        if (algorithm is not null && !EhrJwtDefaults.AcceptedAlgorithms.Contains(algorithm))
        {
            return null;
        }

        try
        {
            return GetString(jwk, "kty") switch
            {
                "RSA" => ReadRsa(jwk, keyId, algorithm),
                "EC" => ReadEc(jwk, keyId, algorithm),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            // One malformed key must not make the EHR's other keys unusable.
            return null;
        }
    }

    private static EhrVerificationKey? ReadRsa(JsonElement jwk, string keyId, string? algorithm)
    {
        var modulus = GetBase64Url(jwk, "n");
        var exponent = GetBase64Url(jwk, "e");
        if (modulus is null || exponent is null || EffectiveBits(modulus) < MinimumRsaKeyBits)
        {
            return null;
        }

        return EhrVerificationKey.FromRsa(keyId, algorithm, new RSAParameters { Modulus = modulus, Exponent = exponent });
    }

    private static EhrVerificationKey? ReadEc(JsonElement jwk, string keyId, string? algorithm)
    {
        (KeyFamily family, ECCurve curve, int size)? curveInfo = GetString(jwk, "crv") switch
        {
            "P-256" => (KeyFamily.EcP256, ECCurve.NamedCurves.nistP256, 32),
            "P-384" => (KeyFamily.EcP384, ECCurve.NamedCurves.nistP384, 48),
            "P-521" => (KeyFamily.EcP521, ECCurve.NamedCurves.nistP521, 66),
            _ => null,
        };
        var x = GetBase64Url(jwk, "x");
        var y = GetBase64Url(jwk, "y");
        if (curveInfo is not { } info || x is null || y is null || x.Length != info.size || y.Length != info.size)
        {
            return null;
        }

        var parameters = new ECParameters { Curve = info.curve, Q = new ECPoint { X = x, Y = y } };
        return EhrVerificationKey.FromEc(keyId, algorithm, info.family, parameters);
    }

    private static bool AllowsVerify(JsonElement ops)
    {
        if (ops.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var op in ops.EnumerateArray())
        {
            if (op.ValueKind == JsonValueKind.String && op.ValueEquals("verify"))
            {
                return true;
            }
        }

        return false;
    }

    private static int EffectiveBits(byte[] bigEndian)
    {
        var index = 0;
        while (index < bigEndian.Length && bigEndian[index] == 0)
        {
            index++;
        }

        return index == bigEndian.Length ? 0 : ((bigEndian.Length - index - 1) * 8) + (8 - byte.LeadingZeroCount(bigEndian[index]));
    }

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? GetBase64Url(JsonElement obj, string name) =>
        GetString(obj, name) is { Length: > 0 } text ? Base64UrlEncoder.DecodeBytes(text) : null;
}
