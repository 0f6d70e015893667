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
    public static string Compute(string policyId, string policyVersion, InScopeOrder order, string? coverageReference, string covered, IReadOnlyList<CriterionResult> criteria)
    {
        var text = new StringBuilder();
        Line(text, "policy", policyId, policyVersion);
        Line(text, "order", order.Reference, order.Procedure.System ?? string.Empty, order.ProcedureCode, order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Line(text, "coverage", coverageReference ?? string.Empty);
        Line(text, "covered", covered);
        foreach (var criterion in criteria.OrderBy(c => c.CriterionId, StringComparer.Ordinal))
        {
            Line(text, "criterion", criterion.CriterionId, criterion.StatusCode);
            foreach (var evidence in criterion.Evidence.Select(e => e.Canonical()).Order(StringComparer.Ordinal))
            {
                Line(text, "evidence", evidence);
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Line(StringBuilder text, params string[] fields) => text.Append(string.Join('\u001e', fields)).Append('\n');
}
