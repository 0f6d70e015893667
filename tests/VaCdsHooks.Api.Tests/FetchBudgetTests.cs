using System.Diagnostics;
using System.Net;
using System.Text.Json;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>A slow EHR never makes the hook hang: reads stop at the fetch budget and the card says so.</summary>
public sealed class FetchBudgetTests : IClassFixture<FetchBudgetTests.ShortBudgetFactory>
{
    public sealed class ShortBudgetFactory : ApiFactory
    {
        public ShortBudgetFactory() => Settings["CdsServices:FetchBudget"] = "00:00:00.300";
    }

    private readonly ShortBudgetFactory _factory;

    public FetchBudgetTests(ShortBudgetFactory factory)
    {
        _factory = factory;
        _factory.Ehr.Reset();
    }

    [Fact]
    public async Task A_slow_EHR_gets_cut_off_at_the_budget_and_the_answer_says_what_was_not_read()
    {
        _factory.Ehr.ServeChart(Charts.Read(Charts.Covered), delay: TimeSpan.FromSeconds(10));
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!.AsObject().Remove("imagingStudies");
        request.PointAt(_factory.EhrFhirBase);

        var clock = Stopwatch.StartNew();
        using var response = await _factory.PostHookAsync("vertebral-augmentation-order-sign", request.ToJsonString());
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Generous bound: the point is that the 10 s delay was not waited out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("in time", text, StringComparison.Ordinal);
    }
}
