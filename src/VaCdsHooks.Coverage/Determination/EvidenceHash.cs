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
        // Streamed into the hash through a stack buffer: the hook path computes one per assertion; building the whole
        // text first cost more than the rest of the assertion, and handing the hash each field on its own (a call
        // into the crypto library each) cost nearly as much.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var lines = new Lines(hash, stackalloc byte[Lines.BufferSize]);
        lines.Line("policy", policyId, policyVersion);
        lines.Line("order", order.Reference, order.Procedure.System ?? string.Empty, order.ProcedureCode, order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        lines.Line("coverage", coverageReference ?? string.Empty);
        lines.Line("covered", covered);

        foreach (var criterion in criteria.OrderBy(c => c.CriterionId, StringComparer.Ordinal))
        {
            lines.Line("criterion", criterion.CriterionId, criterion.StatusCode);
            var evidence = new string[criterion.Evidence.Count];
            for (var i = 0; i < evidence.Length; i++)
            {
                evidence[i] = criterion.Evidence[i].Canonical();
            }

            Array.Sort(evidence, StringComparer.Ordinal);
            foreach (var item in evidence)
            {
                lines.Line("evidence", item);
            }
        }

        lines.Flush();
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>The hashed text: lines of fields joined by the record separator, UTF-8, gathered before each hash update.</summary>
    private ref struct Lines(IncrementalHash hash, Span<byte> buffer)
    {
        public const int BufferSize = 2048;

        private readonly Span<byte> _buffer = buffer;
        private int _used;

        /// <summary>One line: the fields joined by the record separator, then a newline.</summary>
        public void Line(string first, string second, string? third = null, string? fourth = null, string? fifth = null)
        {
            Append(first);
            foreach (var field in (ReadOnlySpan<string?>)[second, third, fourth, fifth])
            {
                if (field is null)
                {
                    break;
                }

                Append(FieldSeparator);
                Append(field);
            }

            Append("\n");
        }

        public void Flush()
        {
            hash.AppendData(_buffer[.._used]);
            _used = 0;
        }

        private void Append(string text)
        {
            var length = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (length > _buffer.Length - _used)
            {
                Flush();
            }

            if (length <= _buffer.Length)
            {
                _used += Encoding.UTF8.GetBytes(text, _buffer[_used..]);
                return;
            }

            // Longer than the buffer (a long evidence value): hashed on its own.
            var rented = ArrayPool<byte>.Shared.Rent(length);
            var written = Encoding.UTF8.GetBytes(text, rented);
            hash.AppendData(rented, 0, written);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
