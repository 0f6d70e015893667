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
    private const char FieldSeparator = '\u001e';
    private const char EvidenceFieldSeparator = '\u001f';

    public static string Compute(string policyId, string policyVersion, InScopeOrder order, string? coverageReference, string covered, IReadOnlyList<CriterionResult> criteria)
    {
        // The text is written once into a pooled buffer and hashed in one call: the hook path computes one per
        // assertion, and building strings for it (or a hash object fed field by field) cost more than the rest of the
        // assertion.
        var text = new HashedText(ArrayPool<byte>.Shared.Rent(8192));
        try
        {
            text.Line("policy", policyId, policyVersion);
            text.Line("order", order.Reference, order.Procedure.System ?? string.Empty, order.ProcedureCode, order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            text.Line("coverage", coverageReference ?? string.Empty);
            text.Line("covered", covered);

            var sorted = criteria.ToArray();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.CriterionId, b.CriterionId));
            foreach (var criterion in sorted)
            {
                text.Line("criterion", criterion.CriterionId, criterion.StatusCode);
                var evidence = criterion.Evidence.ToArray();
                Array.Sort(evidence, CanonicalOrder);
                foreach (var item in evidence)
                {
                    text.Evidence(item);
                }
            }

            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(text.Written, digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            text.Return();
        }
    }

    /// <summary>
    /// Ordinal order of the items' canonical forms (their fields joined by the unit separator), compared field by
    /// field without building them.
    /// </summary>
    private static int CanonicalOrder(EvidenceItem x, EvidenceItem y)
    {
        for (var field = 0; field < EvidenceItem.CanonicalFieldCount; field++)
        {
            var a = x.CanonicalField(field);
            var b = y.CanonicalField(field);
            var common = Math.Min(a.Length, b.Length);
            var compared = a.AsSpan(0, common).SequenceCompareTo(b.AsSpan(0, common));
            if (compared != 0)
            {
                return compared;
            }

            if (a.Length == b.Length)
            {
                continue;
            }

            // One field is a prefix of the other: the shorter one is followed by the separator, or ends the form.
            var longer = a.Length > b.Length ? a : b;
            if (longer[common] == EvidenceFieldSeparator)
            {
                // A separator inside a field (never sent in practice): compare the built forms.
                return string.CompareOrdinal(x.Canonical(), y.Canonical());
            }

            var shorterFirst = field == EvidenceItem.CanonicalFieldCount - 1 || EvidenceFieldSeparator < longer[common];
            return (a.Length < b.Length) == shorterFirst ? -1 : 1;
        }

        return 0;
    }

    /// <summary>The hashed text: lines of fields joined by the record separator, UTF-8, in a buffer that grows.</summary>
    private struct HashedText(byte[] buffer)
    {
        private byte[] _buffer = buffer;
        private int _used;

        public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _used);

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

            Append('\n');
        }

        /// <summary>An evidence line: its canonical form (<see cref="EvidenceItem.Canonical"/>) written field by field.</summary>
        public void Evidence(EvidenceItem item)
        {
            Append("evidence");
            Append(FieldSeparator);
            for (var field = 0; field < EvidenceItem.CanonicalFieldCount; field++)
            {
                if (field > 0)
                {
                    Append(EvidenceFieldSeparator);
                }

                Append(item.CanonicalField(field));
            }

            Append('\n');
        }

        public readonly void Return() => ArrayPool<byte>.Shared.Return(_buffer);

        private void Append(char separator)
        {
            Reserve(1);
            _buffer[_used++] = (byte)separator;
        }

        private void Append(string text)
        {
            Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
            _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
        }

        private void Reserve(int bytes)
        {
            if (_used + bytes <= _buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _used + bytes));
            _buffer.AsSpan(0, _used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }
}
