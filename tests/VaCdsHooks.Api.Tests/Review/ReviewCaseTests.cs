using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>A reviewer lists and opens cases; every view is in the audit log with who, what, when and which patient.</summary>
public sealed class ReviewCaseTests(ReviewFactory factory) : IClassFixture<ReviewFactory>
{
    private static readonly string Chart = File.ReadAllText(RepositoryFiles.Path("fhir-resources", "examples", "patient-conditional.json"));

    private Task<PriorAuthCaseRecord> SeedAsync(TimeSpan? age = null, string? indication = ReviewCases.Indication) =>
        ReviewCases.SeedPendingReviewAsync(factory.Services, Chart, ReviewCases.SampleResponse, age, indication);

    private Task<List<AuditEventRecord>> AuditAsync(string? caseId = null, string? actor = null) => StoredRows.AuditAsync(factory.Services, caseId, actor);

    [Fact]
    public async Task A_reviewer_lists_the_queue_and_the_listing_is_audited()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");

        var page = await client.GetFromJsonAsync<JsonElement>("/review/api/cases?pageSize=200&sort=newest");

        Assert.Contains(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("caseId").GetString() == seeded.CaseId);
        Assert.True(page.GetProperty("countsByStatus").GetProperty("pending-review").GetInt32() >= 1);
        var entry = (await AuditAsync(actor: "nurse")).First(e => e.Action == AuditActions.ViewQueue);
        Assert.Equal("reviewer", entry.ActorRole);
        Assert.Contains(seeded.CaseId, entry.Detail, StringComparison.Ordinal);
        Assert.Contains(ReviewCases.PatientReference, entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_queue_filters_by_status_indication_and_age_and_pages_with_a_cursor()
    {
        var indication = "Multiple myeloma " + Guid.NewGuid().ToString("N");
        var old = await SeedAsync(TimeSpan.FromDays(10), indication);
        var recent = await SeedAsync(TimeSpan.FromHours(2), indication);
        using var client = await factory.SignInAsync("nurse");
        var query = "/review/api/cases?indication=" + Uri.EscapeDataString(indication);

        var oldestFirst = await client.GetFromJsonAsync<JsonElement>(query + "&sort=oldest&pageSize=1");
        var second = await client.GetFromJsonAsync<JsonElement>(query + "&sort=oldest&pageSize=1&cursor=" + oldestFirst.GetProperty("next").GetString());
        var olderThanWeek = await client.GetFromJsonAsync<JsonElement>(query + "&minAgeDays=7");
        var approvedOnly = await client.GetFromJsonAsync<JsonElement>(query + "&status=approved");

        Assert.Equal(old.CaseId, oldestFirst.GetProperty("items")[0].GetProperty("caseId").GetString());
        Assert.Equal(2, oldestFirst.GetProperty("totalCount").GetInt32());
        Assert.Equal(recent.CaseId, second.GetProperty("items")[0].GetProperty("caseId").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        Assert.Equal([old.CaseId], olderThanWeek.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("caseId").GetString()));
        Assert.Empty(approvedOnly.GetProperty("items").EnumerateArray());
        Assert.Equal(2, approvedOnly.GetProperty("countsByStatus").GetProperty("pending-review").GetInt32());
    }

    [Theory]
    [InlineData("status=closed", "status")]
    [InlineData("sort=sideways", "sort")]
    [InlineData("minAgeDays=-1", "minAgeDays")]
    [InlineData("maxAgeDays=abc", "maxAgeDays")]
    [InlineData("minAgeDays=1.5", "minAgeDays")]
    [InlineData("pageSize=lots", "pageSize")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("pageSize=0", "pageSize")]
    public async Task A_bad_queue_filter_is_400_naming_the_field(string query, string field)
    {
        using var client = await factory.SignInAsync("nurse");

        using var response = await client.GetAsync("/review/api/cases?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_reviewer_opens_a_case_page_with_patient_order_criteria_and_answers_and_the_view_is_audited()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("nurse");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/review/cases/" + seeded.CaseId);
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("James Okafor", html, StringComparison.Ordinal);
        Assert.Contains("22513", html, StringComparison.Ordinal);
        Assert.Contains("Pain causing functional impairment", html, StringComparison.Ordinal);
        Assert.Contains("Policy text", html, StringComparison.Ordinal);
        Assert.Contains("Computed tomography (CT) or magnetic resonance imaging (MRI) has ruled out other causes of spinal pain", html, StringComparison.Ordinal);
        Assert.Contains("Conflicts to settle", html, StringComparison.Ordinal);
        Assert.Contains("Only a medical director can deny", html, StringComparison.Ordinal);
        var entry = Assert.Single(await AuditAsync(seeded.CaseId), e => e.Action == AuditActions.ViewCase);
        Assert.Equal("nurse", entry.ActorUserId);
        Assert.Equal(ReviewCases.PatientReference, entry.PatientReference);
    }

    [Fact]
    public async Task The_case_API_labels_each_answer_pre_filled_changed_or_typed_beside_its_criterion()
    {
        var seeded = await SeedAsync();
        using var client = await factory.SignInAsync("director");

        var detail = await client.GetFromJsonAsync<JsonElement>("/review/api/cases/" + seeded.CaseId);

        var answers = detail.GetProperty("responses")[0].GetProperty("answers").EnumerateArray()
            .ToDictionary(a => a.GetProperty("linkId").GetString()!, a => a.GetProperty("origin").GetString());
        Assert.Equal("typed", answers["pain.functional-impairment"]);
        Assert.Equal("changed", answers["imaging.modality"]);
        var pain = detail.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("criterionId").GetString() == "pain-impairment");
        Assert.Equal("not-met", pain.GetProperty("recordStatus").GetString());
        Assert.True(pain.GetProperty("conflict").GetBoolean());
        Assert.Contains(pain.GetProperty("answers").EnumerateArray(), a => a.GetProperty("linkId").GetString() == "pain.functional-impairment");
        Assert.NotEmpty(pain.GetProperty("policy").GetProperty("policyText").GetString()!);
        Assert.NotEmpty(detail.GetProperty("conflicts").EnumerateArray());
        Assert.Contains(detail.GetProperty("history").EnumerateArray(), h => h.GetProperty("kind").GetString() == "re-evaluated");
        Assert.True(detail.GetProperty("allowed").GetProperty("deny").GetBoolean());
        Assert.Single(await AuditAsync(seeded.CaseId), e => e.Action == AuditActions.ViewCase && e.ActorRole == "medical-director");
    }

    [Fact]
    public async Task An_unknown_case_is_404_with_a_problem()
    {
        using var client = await factory.SignInAsync("nurse");

        using var response = await client.GetAsync("/review/api/cases/no-such-case");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_policy_reasons_list_the_policy_words()
    {
        using var client = await factory.SignInAsync("nurse");

        var reasons = await client.GetFromJsonAsync<JsonElement>("/review/api/policy/reasons");

        var codes = reasons.EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Contains("cord-compression", codes);
        Assert.Contains("onset-window", codes);
        Assert.DoesNotContain("all-criteria-met", codes);
    }
}
