using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>Approve, deny and pend move the case, are final records, are audited, and never overwrite a newer case.</summary>
public sealed class ReviewDecisionTests(ReviewFactory factory) : IClassFixture<ReviewFactory>
{
    private static readonly string Chart = File.ReadAllText(RepositoryFiles.Path("fhir-resources", "examples", "patient-conditional.json"));

    private Task<PriorAuthCaseRecord> SeedAsync() => ReviewCases.SeedPendingReviewAsync(factory.Services, Chart, ReviewCases.SampleResponse);

    private static Task<HttpResponseMessage> DecideAsync(HttpClient client, string caseId, object body) =>
        client.PostAsJsonAsync($"/review/api/cases/{caseId}/decisions", body);

    private async Task<AuditEventRecord> DecisionAuditAsync(string caseId) =>
        Assert.Single(await StoredRows.AuditAsync(factory.Services, caseId), e => e.Action == AuditActions.Decide);

    [Fact]
    public async Task A_reviewer_approves_the_case_gets_a_prior_auth_number_and_it_leaves_the_queue()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");

        using var response = await DecideAsync(client, seeded.CaseId, new { decision = "approve", expectedVersion = seeded.Version, rationale = "CT confirms; impairment documented." });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
        var number = outcome.GetProperty("decision").GetProperty("priorAuthNumber").GetString();
        Assert.False(string.IsNullOrEmpty(number));
        var stored = await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId);
        Assert.Equal(PriorAuthCaseStatus.Approved, stored!.Status);
        Assert.Equal(number, stored.PriorAuthNumber);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(90), stored.PriorAuthExpiresOn);
        var decision = Assert.Single(await factory.Service<IReviewDecisionStore>().ListForCaseAsync(seeded.CaseId));
        Assert.Equal(("nurse", "reviewer", ReviewDecisionKind.Approve), (decision.DecidedBy, decision.Role, decision.Decision));
        var audit = await DecisionAuditAsync(seeded.CaseId);
        Assert.Equal(("nurse", "reviewer", ReviewCases.PatientReference), (audit.ActorUserId, audit.ActorRole, audit.PatientReference));
        Assert.Contains(number!, audit.Detail, StringComparison.Ordinal);

        var queue = await client.GetFromJsonAsync<JsonElement>("/review/api/cases?pageSize=200");
        Assert.DoesNotContain(queue.GetProperty("items").EnumerateArray(), i => i.GetProperty("caseId").GetString() == seeded.CaseId);
        // The hook path answers a later order-sign from this case.
        var latest = await factory.Service<IPriorAuthCaseStore>().FindLatestForOrderAsync(ReviewCases.PatientReference, ReviewCases.OrderReference);
        Assert.NotNull(latest);
    }

    [Fact]
    public async Task A_medical_director_denies_with_a_policy_reason()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("director");

        using var response = await DecideAsync(client, seeded.CaseId, new { decision = "deny", expectedVersion = seeded.Version, reasonCode = "cord-compression", rationale = "MRI shows cord compression at T11." });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId);
        Assert.Equal(PriorAuthCaseStatus.Denied, stored!.Status);
        Assert.Null(stored.PriorAuthNumber);
        var decision = Assert.Single(await factory.Service<IReviewDecisionStore>().ListForCaseAsync(seeded.CaseId));
        Assert.Equal(("medical-director", "cord-compression"), (decision.Role, decision.PolicyReasonCode));
        Assert.Contains("MRI shows cord compression", decision.Rationale, StringComparison.Ordinal);
        Assert.Equal("medical-director", (await DecisionAuditAsync(seeded.CaseId)).ActorRole);
    }

    [Fact]
    public async Task A_reviewer_may_not_deny()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");

        using var response = await DecideAsync(client, seeded.CaseId, new { decision = "deny", expectedVersion = seeded.Version, reasonCode = "healed", rationale = "Healed." });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(PriorAuthCaseStatus.PendingReview, (await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId))!.Status);
        Assert.Empty(await factory.Service<IReviewDecisionStore>().ListForCaseAsync(seeded.CaseId));
    }

    [Fact]
    public async Task Pending_reopens_the_questionnaire_for_the_provider()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");

        using var response = await DecideAsync(client, seeded.CaseId, new { decision = "pend", expectedVersion = seeded.Version, rationale = "Send the MRI report of 2026-11-02." });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var store = factory.Service<IPriorAuthCaseStore>();
        Assert.Equal(PriorAuthCaseStatus.MoreInformationRequested, (await store.FindAsync(seeded.CaseId))!.Status);
        var events = await store.ListEventsAsync(seeded.CaseId);
        Assert.Contains(events, e => e.Kind == PriorAuthCaseEventKinds.Reopened && e.Summary.Contains("MRI report", StringComparison.Ordinal));
        Assert.Equal("pend", JsonDocument.Parse((await DecisionAuditAsync(seeded.CaseId)).Detail!).RootElement.GetProperty("decision").GetString());

        // A new response from the provider takes the case back to processing, as the DTR intake does.
        await factory.Service<IQuestionnaireResponseStore>().SaveReceivedAsync(new QuestionnaireResponseRecord
        {
            CaseId = seeded.CaseId,
            AssertionId = seeded.AssertionId,
            ReceivedAt = DateTimeOffset.UtcNow,
            ClientId = "dtr-app",
            ContentHash = QuestionnaireResponseContentHash.Compute("{\"resourceType\":\"QuestionnaireResponse\",\"id\":\"second\"}"),
            ResourceJson = "{\"resourceType\":\"QuestionnaireResponse\",\"id\":\"second\"}",
        });
        Assert.Equal(PriorAuthCaseStatus.Processing, (await store.FindAsync(seeded.CaseId))!.Status);
    }

    [Fact]
    public async Task A_stale_version_is_a_409_and_nothing_is_overwritten()
    {
        var seeded = await SeedAsync();
        using var nurse = await factory.SignInAsync("nurse");
        using var director = await factory.SignInAsync("director");
        using var first = await DecideAsync(director, seeded.CaseId, new { decision = "deny", expectedVersion = seeded.Version, reasonCode = "healed", rationale = "Healed on CT." });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await DecideAsync(nurse, seeded.CaseId, new { decision = "pend", expectedVersion = seeded.Version, rationale = "More please." });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(seeded.Version + 1, problem.GetProperty("currentVersion").GetInt64());
        Assert.Contains("changed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(PriorAuthCaseStatus.Denied, (await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId))!.Status);
        Assert.Single(await factory.Service<IReviewDecisionStore>().ListForCaseAsync(seeded.CaseId));
    }

    [Fact]
    public async Task A_changed_decision_is_a_new_decision_superseding_the_previous()
    {
        var seeded = await SeedAsync();
        using var director = await factory.SignInAsync("director");
        using var nurse = await factory.SignInAsync("nurse");
        using var pend = await DecideAsync(nurse, seeded.CaseId, new { decision = "pend", expectedVersion = seeded.Version, rationale = "Need MRI." });
        var afterPend = (await pend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("case").GetProperty("version").GetInt64();
        using var deny = await DecideAsync(director, seeded.CaseId, new { decision = "deny", expectedVersion = afterPend, reasonCode = "documentation-needed", rationale = "No MRI sent." });
        var afterDeny = (await deny.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("case").GetProperty("version").GetInt64();

        // A denial stands until a medical director changes it.
        using var nurseOverturn = await DecideAsync(nurse, seeded.CaseId, new { decision = "approve", expectedVersion = afterDeny });
        using var directorOverturn = await DecideAsync(director, seeded.CaseId, new { decision = "approve", expectedVersion = afterDeny, rationale = "MRI arrived on appeal." });

        Assert.Equal(HttpStatusCode.Forbidden, nurseOverturn.StatusCode);
        Assert.Equal(HttpStatusCode.Created, directorOverturn.StatusCode);
        var decisions = await factory.Service<IReviewDecisionStore>().ListForCaseAsync(seeded.CaseId);
        Assert.Equal([ReviewDecisionKind.Pend, ReviewDecisionKind.Deny, ReviewDecisionKind.Approve], decisions.Select(d => d.Decision));
        Assert.Equal(decisions[0].Id, decisions[1].SupersedesDecisionId);
        Assert.Equal(decisions[1].Id, decisions[2].SupersedesDecisionId);
    }

    public static TheoryData<string, string> BadDecisions() => new()
    {
        { """{"decision":"maybe","expectedVersion":3}""", "decision" },
        { """{"decision":"approve"}""", "expectedVersion" },
        { """{"decision":"approve","expectedVersion":"three"}""", "expectedVersion" },
        { """{"decision":"deny","expectedVersion":3,"rationale":"No."}""", "reasonCode" },
        { """{"decision":"deny","expectedVersion":3,"reasonCode":"because","rationale":"No."}""", "reasonCode" },
        { """{"decision":"deny","expectedVersion":3,"reasonCode":"healed"}""", "rationale" },
        { """{"decision":"pend","expectedVersion":3}""", "rationale" },
        { """{"decision":"approve","expectedVersion":3,"rationale":""" + "\"" + new string('x', 2001) + "\"}", "rationale" },
        { "not json", "body" },
    };

    [Theory]
    [MemberData(nameof(BadDecisions))]
    public async Task Bad_input_is_400_naming_the_field(string body, string field)
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("director");

        using var response = await client.PostAsync($"/review/api/cases/{seeded.CaseId}/decisions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(PriorAuthCaseStatus.PendingReview, (await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId))!.Status);
    }

    [Fact]
    public async Task A_decision_that_is_not_JSON_is_refused()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");

        using var response = await client.PostAsync($"/review/api/cases/{seeded.CaseId}/decisions", new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "approve", ["expectedVersion"] = "1" }));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_decision_on_an_unknown_case_is_404()
    {
        using var client = await factory.SignInAsync("nurse");

        using var response = await DecideAsync(client, "no-such-case", new { decision = "approve", expectedVersion = 1 });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_case_page_form_approves_and_a_stale_form_shows_a_clear_message()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");
        var token = await ReviewFactory.AntiforgeryTokenAsync(client, "/review/cases/" + seeded.CaseId);
        FormUrlEncodedContent Form(string decision, long version, string rationale) => new(new Dictionary<string, string>
        {
            ["Form.Decision"] = decision,
            ["Form.ExpectedVersion"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.Rationale"] = rationale,
            ["__RequestVerificationToken"] = token,
        });

        using var approved = await client.PostAsync("/review/cases/" + seeded.CaseId, Form("approve", seeded.Version, "Looks right."));
        using var stale = await client.PostAsync("/review/cases/" + seeded.CaseId, Form("pend", seeded.Version, "Second tab, older page."));

        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Contains("decided=approve", approved.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var html = await stale.Content.ReadAsStringAsync();
        Assert.Contains("changed after you opened it", html, StringComparison.Ordinal);
        Assert.Equal(PriorAuthCaseStatus.Approved, (await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId))!.Status);
    }

    [Fact]
    public async Task A_reviewer_crafting_a_deny_form_is_refused()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");
        var token = await ReviewFactory.AntiforgeryTokenAsync(client, "/review/cases/" + seeded.CaseId);

        using var response = await client.PostAsync("/review/cases/" + seeded.CaseId, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Decision"] = "deny",
            ["Form.ExpectedVersion"] = seeded.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.ReasonCode"] = "healed",
            ["Form.Rationale"] = "Healed.",
            ["__RequestVerificationToken"] = token,
        }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Matches(new Regex("medical director", RegexOptions.IgnoreCase), await response.Content.ReadAsStringAsync());
        Assert.Equal(PriorAuthCaseStatus.PendingReview, (await factory.Service<IPriorAuthCaseStore>().FindAsync(seeded.CaseId))!.Status);
    }
}
