using System.Net;
using System.Text.Json;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Coverage;

namespace VaCdsHooks.Api.Tests;

/// <summary>The service with a coverage engine that fails on every decision (the edge faked, nothing else).</summary>
public sealed class FailingEngineApiFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ICoverageAdvisor, FailingAdvisor>());
    }

    private sealed class FailingAdvisor : ICoverageAdvisor
    {
        public CoverageAnswer Advise(CoverageRequest request) => throw new InvalidOperationException("engine failure for the test");

        public bool IsInScope(Resource order) => true;
    }
}

/// <summary>
/// A failure inside the decision still answers 200 (CDS Hooks: a 5xx is shown to nobody): an informative card from
/// the same card builder as every other card, and on a primary hook an empty <c>systemActions</c> array.
/// </summary>
public sealed class TechnicalProblemTests(FailingEngineApiFactory factory) : IClassFixture<FailingEngineApiFactory>
{
    [Fact]
    public async Task Engine_failure_on_order_sign_answers_an_info_card_with_the_policy_source_and_empty_systemActions()
    {
        using var response = await factory.PostHookAsync("vertebral-augmentation-order-sign", Charts.Request(Charts.Covered).ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        Assert.Empty(document.RootElement.GetProperty("systemActions").EnumerateArray());
        var card = Assert.Single(document.RootElement.GetProperty("cards").EnumerateArray());
        Assert.Contains("could not be checked", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("VaCdsHooks coverage policy", card.GetProperty("source").GetProperty("label").GetString());
        Assert.Equal("http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp", card.GetProperty("source").GetProperty("topic").GetProperty("system").GetString());
    }
}
