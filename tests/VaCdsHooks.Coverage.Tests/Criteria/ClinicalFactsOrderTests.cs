using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

/// <summary>
/// The order facts are read in decides which answer is the latest and how evidence is listed: oldest first, ties by
/// id, and equal items in the order the chart gave them, however many there are.
/// </summary>
public class ClinicalFactsOrderTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void Scores_are_ordered_by_date_then_id_whatever_order_the_chart_lists_them(int count)
    {
        var chart = Chart.Empty();
        var expected = new List<(string Date, string Id)>();
        for (var i = count - 1; i >= 0; i--)
        {
            // Several scores share a day; ids that are prefixes of others (pain-1, pain-15) break the ties.
            var date = $"2026-10-{1 + (i % 7):D2}";
            var id = $"pain-{i}";
            chart.PainScore(i % 10, date, id);
            expected.Add((date, id));
        }

        var facts = ClinicalFacts.From(TestPolicy.Default, chart.Record());

        var read = facts.PainScores.Select(s => (s.Date!.Value.Text, s.Observation.Id!)).ToList();
        Assert.Equal(expected.OrderBy(e => e.Date, StringComparer.Ordinal).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => (e.Date, e.Id)), read);
    }
}
