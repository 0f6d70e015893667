using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Api.Tests.Review;

namespace VaCdsHooks.Api.Tests.Faults;

/// <summary>
/// The review workspace behind a TLS-terminating proxy at 10.0.0.5. The test server has no sockets, so each request
/// names the address it comes from in <see cref="PeerHeader"/> (a test-only stand-in for the TCP peer).
/// </summary>
public sealed class BehindProxyFactory : ReviewFactory
{
    public const string PeerHeader = "X-Test-Peer-Address";
    public const string Proxy = "10.0.0.5";

    public BehindProxyFactory()
    {
        Settings["ForwardedHeaders:KnownProxies:0"] = Proxy;
        Settings["ForwardedHeaders:KnownNetworks:0"] = "192.168.50.0/24";
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, PeerAddressFilter>());
    }

    private sealed class PeerAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(PeerHeader, out var peer))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>
/// X-Forwarded-Proto/For are believed from the configured proxies only: through the proxy the staff cookie is Secure
/// and HSTS is sent; the same headers from anyone else change nothing. HSTS is sent outside Development only.
/// (The review pages' Content-Security-Policy: ReviewAccessTests.Workspace_pages_carry_a_content_security_policy_allowing_only_their_own_files.)
/// </summary>
public sealed class ProxyHeadersTests(BehindProxyFactory factory) : IClassFixture<BehindProxyFactory>
{
    [Theory]
    [InlineData(BehindProxyFactory.Proxy)]
    [InlineData("192.168.50.17")]
    public async Task Through_a_known_proxy_announcing_https_the_staff_cookie_is_secure(string peer)
    {
        var cookie = await SignInCookieAsync(peer, forwardedProto: "https");

        Assert.Contains("secure", Attributes(cookie));
        Assert.Contains("httponly", Attributes(cookie));
    }

    [Fact]
    public async Task From_an_unknown_address_the_forwarded_headers_are_ignored()
    {
        var cookie = await SignInCookieAsync("203.0.113.9", forwardedProto: "https");

        Assert.DoesNotContain("secure", Attributes(cookie));
    }

    [Fact]
    public async Task Hsts_is_sent_over_https_and_over_https_forwarded_by_the_proxy_but_not_for_a_stranger_claiming_it()
    {
        using (var direct = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://payer.example.org") }))
        using (var response = await direct.GetAsync("/health/live"))
        {
            Assert.Contains("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        }

        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://payer.example.org") });
        using (var forwarded = await client.SendAsync(Request("/health/live", BehindProxyFactory.Proxy, "https")))
        {
            Assert.True(forwarded.Headers.Contains("Strict-Transport-Security"), "no HSTS through the proxy");
        }

        using (var stranger = await client.SendAsync(Request("/health/live", "203.0.113.9", "https")))
        {
            Assert.False(stranger.Headers.Contains("Strict-Transport-Security"), "HSTS on a plain-http request from a stranger");
        }
    }

    /// <summary>Signs in through the form with the given peer and forwarded scheme; returns the staff cookie's Set-Cookie.</summary>
    private async Task<string> SignInCookieAsync(string peer, string forwardedProto)
    {
        // Cookies are carried by hand: a cookie container would not send a Secure cookie back over the test's http.
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://payer.example.org") });
        using var page = Request("/review/sign-in", peer, forwardedProto);
        page.Headers.Accept.ParseAdd("text/html");
        using var form = await client.SendAsync(page);
        var html = await form.Content.ReadAsStringAsync();
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var cookies = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        using var post = Request("/review/sign-in", peer, forwardedProto);
        post.Method = HttpMethod.Post;
        post.Headers.Add("Cookie", cookies);
        post.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = "nurse",
            ["Password"] = ReviewFactory.Password,
            ["__RequestVerificationToken"] = token,
        });
        using var signedIn = await client.SendAsync(post);

        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()}");
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vacdshooks.review", StringComparison.Ordinal));
    }

    private static string[] Attributes(string setCookie) =>
        setCookie.Split(';').Skip(1).Select(a => a.Trim().Split('=')[0].ToLowerInvariant()).ToArray();

    private static HttpRequestMessage Request(string path, string peer, string forwardedProto)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(BehindProxyFactory.PeerHeader, peer);
        request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        request.Headers.Add("X-Forwarded-For", "198.51.100.20");
        return request;
    }
}

/// <summary>In Development the service runs on plain localhost: no HSTS, even over https.</summary>
public sealed class DevelopmentHstsTests(DevelopmentFactory factory) : IClassFixture<DevelopmentFactory>
{
    [Fact]
    public async Task Hsts_is_not_sent_in_Development()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://payer.example.org") });
        using var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
