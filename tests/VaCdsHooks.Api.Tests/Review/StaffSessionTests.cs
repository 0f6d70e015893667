using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>The staff cookie names a server-side session: once signed out, a copy of the old cookie is worth nothing.</summary>
public sealed class StaffSessionTests(ReviewFactory factory) : IClassFixture<ReviewFactory>
{
    [Fact]
    public async Task A_copy_of_the_cookie_is_refused_once_its_session_is_signed_out()
    {
        var cookies = new CookieContainer();
        using var browser = factory.CreateDefaultClient(new CookieContainerHandler(cookies));
        using (var signIn = await ReviewFactory.PostSignInAsync(browser, "nurse", ReviewFactory.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var copy = cookies.GetCookieHeader(browser.BaseAddress!);
        Assert.Equal(HttpStatusCode.OK, await CasesStatusAsync(copy));

        var token = await ReviewFactory.AntiforgeryTokenAsync(browser, "/review");
        using (var signOut = await browser.PostAsync("/review/sign-out", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await CasesStatusAsync(copy));
    }

    private async Task<HttpStatusCode> CasesStatusAsync(string cookie)
    {
        using var client = factory.CreateDefaultClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/review/api/cases");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
