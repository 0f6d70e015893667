using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using VaCdsHooks.Testing;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>Nobody without the role sees or changes anything: pages, API and the job dashboard.</summary>
public sealed class ReviewAccessTests(ReviewFactory factory) : IClassFixture<ReviewFactory>
{
    private static HttpRequestMessage Page(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        return request;
    }

    [Theory]
    [InlineData("/review")]
    [InlineData("/review/cases/any-case")]
    public async Task An_anonymous_browser_is_sent_to_sign_in(string path)
    {
        using var client = factory.Browser();
        using var response = await client.SendAsync(Page(path));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/review/sign-in?returnUrl=", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/review/api/cases")]
    [InlineData("GET", "/review/api/cases/any-case")]
    [InlineData("POST", "/review/api/cases/any-case/decisions")]
    public async Task An_anonymous_API_call_is_401_with_a_problem(string method, string path)
    {
        using var client = factory.Browser();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { decision = "approve", expectedVersion = 1 }) : null };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(401, problem!.Status);
    }

    [Fact]
    public async Task An_admin_cannot_read_cases()
    {
        using var admin = await factory.SignInAsync("ops");

        using var api = await admin.GetAsync("/review/api/cases");
        using var page = await admin.SendAsync(Page("/review"));

        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/review/denied", page.Headers.Location!.AbsolutePath);
        using var denied = await admin.SendAsync(Page(page.Headers.Location!.PathAndQuery));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task Only_an_admin_sees_the_job_dashboard()
    {
        using var anonymous = factory.Browser();
        using var reviewer = await factory.SignInAsync("nurse");
        using var director = await factory.SignInAsync("director");
        using var admin = await factory.SignInAsync("ops");

        using var anonymousResponse = await anonymous.GetAsync("/jobs");
        using var anonymousBrowser = await anonymous.SendAsync(Page("/jobs"));
        using var reviewerResponse = await reviewer.GetAsync("/jobs");
        using var directorResponse = await director.GetAsync("/jobs");
        using var adminResponse = await admin.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, anonymousBrowser.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reviewerResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, directorResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminResponse.StatusCode);
        Assert.Contains("Hangfire", await adminResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_job_dashboard_stats_endpoint_answers_without_a_server_error()
    {
        using var admin = await factory.SignInAsync("ops");

        using var get = await admin.GetAsync("/jobs/stats");
        using var json = await admin.PostAsync("/jobs/stats", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var post = await admin.PostAsync("/jobs/stats", new FormUrlEncodedContent([new("metrics[]", "enqueued:count"), new("metrics[]", "failed:count")]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.True((int)post.StatusCode < 500, $"POST /jobs/stats: {(int)post.StatusCode} {await post.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Sign_in_pages_are_not_cached_and_not_framed()
    {
        using var client = factory.Browser();
        using var response = await client.SendAsync(Page("/review/sign-in"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Workspace_pages_carry_a_content_security_policy_allowing_only_their_own_files()
    {
        using var client = factory.Browser();
        using var response = await client.SendAsync(Page("/review/sign-in"));

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_signs_nobody_in_and_repeated_failures_lock_the_account()
    {
        using var client = factory.Browser();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await ReviewFactory.PostSignInAsync(client, "trainee", "not the password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("wrong", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Locked now: even the right password is refused until the lockout ends.
        using var locked = await ReviewFactory.PostSignInAsync(client, "trainee", ReviewFactory.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        using var api = await client.GetAsync("/review/api/cases");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

        var audit = await StoredRows.AuditAsync(factory.Services, actorUserId: "trainee");
        Assert.Contains(audit, e => e.Action == "sign-in-failed");
    }

    [Fact]
    public async Task Sign_in_without_the_antiforgery_token_is_refused()
    {
        using var client = factory.Browser();
        using var response = await client.PostAsync("/review/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = "nurse",
            ["Password"] = ReviewFactory.Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        using var client = await factory.SignInAsync("nurse");
        var token = await ReviewFactory.AntiforgeryTokenAsync(client, "/review");

        using var signOut = await client.PostAsync("/review/sign-out", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        using var after = await client.GetAsync("/review/api/cases");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
