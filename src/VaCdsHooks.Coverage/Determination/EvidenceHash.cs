using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using VaCdsHooks.Coverage.Criteria;

namespace VaCdsHooks.Coverage.Determination;

/// <summary>
/// A SHA-256 over the evidence a determination used (policy version, order, coverage, outcome, every criterion's
/// status and evidence), in a fixed order: the same evidence always gives the same hash, and a reviewer can tell
/// whether two determinations rested on the same facts.
/// </summary>
public static class EvidenceHash
{
    private const string FieldSeparator = "\u001e";

    public static string Compute(string policyId, string policyVersion, InScopeOrder order, string? coverageReference, string covered, IReadOnlyList<CriterionResult> criteria)
    {
        // Streamed into the hash line by line: the hook path computes one per assertion, and building the whole
        // text first cost more than the rest of the assertion.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Line(hash, "policy", policyId, policyVersion);
        Line(hash, "order", order.Reference, order.Procedure.System ?? string.Empty, order.ProcedureCode, order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Line(hash, "coverage", coverageReference ?? string.Empty);
        Line(hash, "covered", covered);

        foreach (var criterion in criteria.OrderBy(c => c.CriterionId, StringComparer.Ordinal))
        {
            Line(hash, "criterion", criterion.CriterionId, criterion.StatusCode);
            var evidence = new string[criterion.Evidence.Count];
            for (var i = 0; i < evidence.Length; i++)
            {
                evidence[i] = criterion.Evidence[i].Canonical();
            }

            Array.Sort(evidence, StringComparer.Ordinal);
            foreach (var item in evidence)
            {
                Line(hash, "evidence", item);
            }
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>One line: the fields joined by the record separator, then a newline, UTF-8.</summary>
    private static void Line(IncrementalHash hash, string first, string second, string? third = null, string? fourth = null, string? fifth = null)
    {
        Append(hash, first);
        foreach (var field in (ReadOnlySpan<string?>)[second, third, fourth, fifth])
        {
            if (field is null)
            {
                break;
            }

            Append(hash, FieldSeparator);
            Append(hash, field);
        }

        Append(hash, "\n");
    }

    private static void Append(IncrementalHash hash, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var written = Encoding.UTF8.GetBytes(text, buffer);
        hash.AppendData(buffer[..written]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
