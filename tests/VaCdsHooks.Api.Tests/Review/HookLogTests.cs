using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>
/// CRD: every hook invocation and our response are kept for dispute resolution, readable only by authorized staff,
/// and each read is audited.
/// </summary>
public sealed class HookLogTests(ReviewFactory factory) : IClassFixture<ReviewFactory>
{
    private readonly DtrFlow _dtr = new(factory);

    private async Task<(string AssertionId, string CaseId)> PendingCaseAsync()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var answers = DtrFlow.CleanAnswers();
        answers["pain.severity"] = new FhirDecimal(0);
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, answers));
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var status = await _dtr.DecidedStatusAsync(assertionId);
        return (assertionId, status.Id!);
    }

    [Fact]
    public async Task A_reviewer_reads_the_hook_call_behind_a_case_verbatim_and_the_read_is_audited()
    {
        var (assertionId, caseId) = await PendingCaseAsync();
        using var client = await factory.SignInAsync("nurse");

        var exchanges = await client.GetFromJsonAsync<JsonElement>($"/review/api/cases/{caseId}/hook-exchanges");

        var exchange = Assert.Single(exchanges.EnumerateArray());
        Assert.Equal("order-sign", exchange.GetProperty("hook").GetString());
        Assert.Equal(ApiFactory.Issuer, exchange.GetProperty("clientIssuer").GetString());
        using var request = JsonDocument.Parse(exchange.GetProperty("request").GetString()!);
        Assert.Equal(_dtr.OrderId, request.RootElement.GetProperty("context").GetProperty("draftOrders").GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString());
        Assert.Contains(assertionId, exchange.GetProperty("response").GetString(), StringComparison.Ordinal);

        var audited = await StoredRows.AuditAsync(factory.Services, caseId, actorUserId: "nurse");
        Assert.Contains(audited, e => e.Action == AuditActions.ViewHookLog);
    }

    [Fact]
    public async Task Nobody_without_a_reviewing_role_reads_the_hook_log()
    {
        var (_, caseId) = await PendingCaseAsync();

        using var anonymous = factory.CreateClient();
        using var refused = await anonymous.GetAsync($"/review/api/cases/{caseId}/hook-exchanges");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var admin = await factory.SignInAsync("ops");
        using var forbidden = await admin.GetAsync($"/review/api/cases/{caseId}/hook-exchanges");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        using var nurse = await factory.SignInAsync("nurse");
        using var unknown = await nurse.GetAsync("/review/api/cases/no-such-case/hook-exchanges");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
