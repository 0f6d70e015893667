using System.Net;
using System.Net.Http.Headers;
using Hangfire;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Api.Tests.Review;
using VaCdsHooks.Storage;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.MultiInstance;

/// <summary>
/// Two instances behind one database behave as one service: a token used on one is spent on both, a staff session
/// ended on one is dead on both, failed sign-ins count against one limit, and a QuestionnaireResponse posted to one
/// is decided exactly once by whichever instance's worker takes its job.
/// </summary>
public sealed class SharedStateTests(TwoInstances instances, ITestOutputHelper output) : IClassFixture<TwoInstances>
{
    private const string OrderSign = "vertebral-augmentation-order-sign";

    private ApiFactory A => instances.A;

    private ApiFactory B => instances.B;

    [SkippableFact]
    public async Task A_hook_token_accepted_by_one_instance_is_refused_when_replayed_to_the_other()
    {
        PostgresServer.Require();
        var body = VaCdsHooks.DemoEhr.DemoHookRequest.Build(new DtrFlow(A).Chart(), "order-sign", prefetch: true).ToJsonString();
        var token = A.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}");

        using var first = await A.PostHookAsync(OrderSign, body, token);
        using var replayed = await B.PostHookAsync(OrderSign, body, token);

        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync() + A.Errors.Text);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [SkippableFact]
    public async Task A_client_assertion_spent_on_one_instance_is_refused_by_the_other()
    {
        PostgresServer.Require();
        var assertion = A.Tokens.CreateClientAssertion(ApiFactory.PublicBaseUrl + "/auth/token");

        using var first = await RequestTokenAsync(A, assertion);
        using var replayed = await RequestTokenAsync(B, assertion);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
    }

    [SkippableFact]
    public async Task A_staff_session_signed_out_on_one_instance_is_dead_on_the_other()
    {
        PostgresServer.Require();
        var cookies = new CookieContainer();
        // A browser over a real socket whose cookie jar the test can read: cookies kept, redirects not followed.
        using var browserOnA = new HttpClient(new CookieContainerHandler(cookies) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false } })
        {
            BaseAddress = A.ClientOptions.BaseAddress,
        };
        using (var signIn = await ReviewFactory.PostSignInAsync(browserOnA, "nurse", TwoInstances.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        // The same cookie a browser would send to whichever instance the balancer picks.
        var cookie = cookies.GetCookieHeader(A.ClientOptions.BaseAddress);
        Assert.Contains("vacdshooks.review=", cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await CasesStatusAsync(B, cookie));

        var antiforgery = await ReviewFactory.AntiforgeryTokenAsync(browserOnA, "/review");
        using (var signOut = await browserOnA.PostAsync("/review/sign-out", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            Assert.DoesNotContain("vacdshooks.review=", cookies.GetCookieHeader(A.ClientOptions.BaseAddress), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await CasesStatusAsync(B, cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, await CasesStatusAsync(A, cookie));
    }

    [SkippableFact]
    public async Task Failed_sign_ins_on_both_instances_count_against_one_limit()
    {
        PostgresServer.Require();
        using var onA = Browser(A);
        using var onB = Browser(B);

        // The limit is 3: two wrong guesses on A and one on B lock the account everywhere.
        foreach (var client in new[] { onA, onB, onA })
        {
            using var wrong = await ReviewFactory.PostSignInAsync(client, "director", "wrong");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        using var locked = await ReviewFactory.PostSignInAsync(onB, "director", TwoInstances.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
    }

    [SkippableFact]
    public async Task QuestionnaireResponses_posted_to_one_instance_are_each_decided_exactly_once_by_either_worker()
    {
        PostgresServer.Require();
        var monitoring = A.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var servers = monitoring.Servers().Select(s => s.Name).ToList();
        Assert.Equal(2, servers.Count);

        // Two orders, so two jobs compete for the four workers of the two instances.
        var flows = new[] { new DtrFlow(A), new DtrFlow(A) };
        var submitted = new List<(string AssertionId, string ResponseId)>();
        foreach (var flow in flows)
        {
            var assertionId = await flow.ConditionalAssertionAsync();
            var (questionnaire, draft) = await flow.PackageAsync(assertionId);
            using var posted = await flow.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
            var stored = await DtrFlow.ReadAsync<QuestionnaireResponse>(posted, HttpStatusCode.Created, A);
            submitted.Add((assertionId, stored.Id!));
        }

        // The EHR may read the decision from the other instance, with the access token the first one issued:
        // both sign and verify with the one key stored in the database.
        var onB = new DtrFlow(B);
        using (var clientWithTokenFromA = await onB.ClientAsync(await A.DtrAccessTokenAsync()))
        using (var status = await clientWithTokenFromA.GetAsync("/fhir/ClaimResponse?identifier=" + Uri.EscapeDataString(submitted[0].AssertionId)))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        foreach (var (assertionId, _) in submitted)
        {
            Assert.Equal("approved", DtrFlow.CaseStatus(await onB.DecidedStatusAsync(assertionId, TimeSpan.FromSeconds(60))));
        }

        await WaitForAsync(() => monitoring.SucceededListCount() >= submitted.Count, TimeSpan.FromSeconds(30));
        Assert.Equal(submitted.Count, monitoring.SucceededListCount());
        Assert.Equal(0, monitoring.FailedCount());

        foreach (var job in monitoring.SucceededJobs(0, 10))
        {
            var history = monitoring.JobDetails(job.Key).History;
            var processing = Assert.Single(history, h => h.StateName == "Processing");
            Assert.Contains(processing.Data["ServerId"], servers);
            output.WriteLine($"job {job.Key} ran on {processing.Data["ServerId"]}");
        }

        // One effect each: one re-evaluation on the case, the response processed on its first and only attempt.
        var cases = A.Services.GetRequiredService<IPriorAuthCaseStore>();
        var responses = B.Services.GetRequiredService<IQuestionnaireResponseStore>();
        foreach (var (assertionId, responseId) in submitted)
        {
            var @case = (await cases.FindByAssertionAsync(assertionId))!;
            var events = await cases.ListEventsAsync(@case.CaseId);
            Assert.Single(events, e => e.Kind == PriorAuthCaseEventKinds.ReEvaluated);
            var response = (await responses.FindAsync(responseId))!;
            Assert.Equal(QuestionnaireResponseProcessingState.Processed, response.ProcessingState);
            Assert.Equal(1, response.Attempts);
        }
    }

    /// <summary>A browser-like client of one instance: cookies kept, redirects not followed.</summary>
    private static HttpClient Browser(ApiFactory instance) =>
        instance.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = instance.ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpResponseMessage> RequestTokenAsync(ApiFactory instance, string assertion)
    {
        using var client = instance.CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "system/Questionnaire.rs",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });
        return await client.PostAsync("/auth/token", form);
    }

    private static async Task<HttpStatusCode> CasesStatusAsync(ApiFactory instance, string cookie)
    {
        using var client = instance.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = instance.ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/review/api/cases");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}
