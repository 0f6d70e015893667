using System.Security.Cryptography;
using System.Text;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>Ids derived from their inputs, so the same assertion always yields the same resources.</summary>
internal static class StableIds
{
    /// <summary>Lower-case hex of SHA-256 over the parts (separated so "a","bc" differs from "ab","c").</summary>
    public static string Hash(params string[] parts)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>A FHIR id (<c>[A-Za-z0-9\-\.]{1,64}</c>): prefix plus 24 hex characters.</summary>
    public static string FhirId(string prefix, params string[] parts) => prefix + "-" + Hash(parts)[..24];

    /// <summary>A <c>urn:uuid:</c> built from the hash (RFC 4122 version 8 layout: custom, deterministic).</summary>
    public static string Urn(params string[] parts)
    {
        var bytes = Convert.FromHexString(Hash(parts)[..32]);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
