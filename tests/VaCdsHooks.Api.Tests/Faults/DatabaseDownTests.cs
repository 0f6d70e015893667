using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.DemoEhr;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Faults;

/// <summary>The service with its database switchable off (see <see cref="DatabaseOutage"/>).</summary>
public class OutageApiFactory : ApiFactory
{
    public DatabaseOutage Outage { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(Outage.Install);
    }
}

/// <summary>
/// The database down: hooks still answer from the engine (with a note, and without promising a questionnaire that
/// could not be stored), writes are refused with 503 and Retry-After, and nothing is half-written.
/// </summary>
public sealed class DatabaseDownTests : IClassFixture<OutageApiFactory>, IDisposable
{
    private const string OrderSign = "vertebral-augmentation-order-sign";
    private readonly OutageApiFactory _factory;

    public DatabaseDownTests(OutageApiFactory factory)
    {
        _factory = factory;
        _factory.Outage.Down = false;

        // Started with the database up, as a service is (it migrates at start); the outage comes later.
        _factory.CreateClient().Dispose();
    }

    public void Dispose() => _factory.Outage.Down = false;

    [Fact]
    public async Task A_conditional_order_is_answered_without_a_questionnaire_it_could_not_serve_later()
    {
        var flow = new DtrFlow(_factory);
        _factory.Outage.Down = true;

        using var response = await _factory.PostHookAsync(OrderSign, DemoHookRequest.Build(flow.Chart(Charts.Conditional), "order-sign", prefetch: true).ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{_factory.Errors.Text}");
        Assert.True(_factory.Outage.Refused > 0, "the outage was not reached");
        using var document = JsonDocument.Parse(text);
        var information = CoverageInformation(document.RootElement);
        Assert.Equal("conditional", information["covered"].GetProperty("valueCode").GetString());
        Assert.Equal("auth-needed", information["pa-needed"].GetProperty("valueCode").GetString());
        Assert.Equal("clinical", information["doc-needed"].GetProperty("valueCode").GetString());
        Assert.False(information.ContainsKey("questionnaire"), "a questionnaire was promised for an assertion that was not stored");

        var cards = AllCardText(document.RootElement);
        Assert.DoesNotContain("complete the payer's documentation questionnaire", cards, StringComparison.Ordinal);
        Assert.Contains("documentation questionnaire is not available for this order right now", cards, StringComparison.Ordinal);
        Assert.Contains("Earlier prior-authorization decisions could not be looked up", cards, StringComparison.Ordinal);

        // Back up: the assertion named in the answer was never stored, and DTR says so instead of serving something else.
        _factory.Outage.Down = false;
        var assertionId = information["coverage-assertion-id"].GetProperty("valueString").GetString()!;
        using var package = await flow.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest(assertionId));
        Assert.Equal(HttpStatusCode.NotFound, package.StatusCode);
    }

    [Fact]
    public async Task A_covered_order_keeps_its_system_action_and_says_what_could_not_be_checked()
    {
        _factory.Outage.Down = true;

        using var response = await _factory.PostHookAsync(OrderSign, Charts.Request(Charts.Covered).ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{_factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        Assert.Equal("covered", CoverageInformation(document.RootElement)["covered"].GetProperty("valueCode").GetString());
        Assert.Contains("Earlier prior-authorization decisions could not be looked up", AllCardText(document.RootElement), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_QuestionnaireResponse_is_refused_with_503_and_taken_once_when_the_database_is_back()
    {
        var flow = new DtrFlow(_factory);
        var assertionId = await flow.ConditionalAssertionAsync();
        var (questionnaire, draft) = await flow.PackageAsync(assertionId);
        var completed = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        using (await flow.ClientAsync())
        {
            // The access token is fetched while the database is up; a DTR app holds one already.
        }

        _factory.Outage.Down = true;
        using (var refused = await flow.PostAsync("/fhir/QuestionnaireResponse", completed))
        {
            var outcome = await DtrFlow.ReadAsync<OperationOutcome>(refused, HttpStatusCode.ServiceUnavailable, _factory);
            Assert.Equal(OperationOutcome.IssueType.Transient, Assert.Single(outcome.Issue).Code);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        }

        _factory.Outage.Down = false;
        using (var accepted = await flow.PostAsync("/fhir/QuestionnaireResponse", completed))
        {
            await DtrFlow.ReadAsync<QuestionnaireResponse>(accepted, HttpStatusCode.Created, _factory);
        }

        var status = await flow.DecidedStatusAsync(assertionId);
        Assert.Equal("approved", DtrFlow.CaseStatus(status));
        Assert.Single(await _factory.Service<IQuestionnaireResponseStore>().ListForCaseAsync(status.Id!));
    }

    [Fact]
    public async Task Card_feedback_is_refused_with_503_and_kept_once_when_sent_again()
    {
        var card = Guid.NewGuid().ToString();
        var body = new JsonObject
        {
            ["feedback"] = new JsonArray(new JsonObject { ["card"] = card, ["outcome"] = "accepted", ["outcomeTimestamp"] = "2026-11-24T10:15:00Z" }),
        }.ToJsonString();

        _factory.Outage.Down = true;
        using (var refused = await _factory.PostHookAsync(OrderSign, body, _factory.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}/feedback"), "/feedback"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        }

        _factory.Outage.Down = false;
        Assert.Empty(await StoredRows.CardFeedbackAsync(_factory.Services, OrderSign, card));
        using (var accepted = await _factory.PostHookAsync(OrderSign, body, _factory.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}/feedback"), "/feedback"))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        Assert.Single(await StoredRows.CardFeedbackAsync(_factory.Services, OrderSign, card));
    }

    private static Dictionary<string, JsonElement> CoverageInformation(JsonElement answer) =>
        Assert.Single(answer.GetProperty("systemActions").EnumerateArray()).GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == DtrFlow.CoverageInformationUrl)
            .GetProperty("extension").EnumerateArray()
            .GroupBy(e => e.GetProperty("url").GetString()!)
            .ToDictionary(g => g.Key, g => g.First().Clone());

    private static string AllCardText(JsonElement answer) => string.Join("\n", answer.GetProperty("cards").EnumerateArray()
        .Select(c => c.GetProperty("summary").GetString() + "\n" + (c.TryGetProperty("detail", out var d) ? d.GetString() : "")));
}
