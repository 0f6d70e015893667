using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using VaCdsHooks.Api.Review;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>The host with demo accounts switched on explicitly (the Testing environment is not Development).</summary>
public class ReviewFactory : ApiFactory
{
    public const string Password = "correct horse battery staple";

    // Hashed once: PBKDF2 is slow on purpose.
    private static readonly string PasswordHash = DemoPasswords.Hash(Password);

    public ReviewFactory()
    {
        Settings["Review:DemoAccounts:Enabled"] = "true";
        Settings["Review:DemoAccounts:MaxFailedAttempts"] = "3";
        var users = new[] { ("nurse", "reviewer"), ("director", "medical-director"), ("ops", "admin"), ("trainee", "reviewer") };
        for (var i = 0; i < users.Length; i++)
        {
            var (name, role) = users[i];
            Settings[$"Review:DemoAccounts:Users:{i}:UserName"] = name;
            Settings[$"Review:DemoAccounts:Users:{i}:PasswordHash"] = PasswordHash;
            Settings[$"Review:DemoAccounts:Users:{i}:Roles:0"] = role;
        }
    }

    /// <summary>A browser-like client: cookies kept, redirects not followed.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real form (antiforgery included) and returns the signed-in client.</summary>
    public async Task<HttpClient> SignInAsync(string userName, string password = Password)
    {
        var client = Browser();
        using var response = await PostSignInAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string userName, string password)
    {
        var token = await AntiforgeryTokenAsync(client, "/review/sign-in");
        return await client.PostAsync("/review/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        var match = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(match.Success, $"No antiforgery token on {path} ({(int)response.StatusCode}).");
        return match.Groups[1].Value;
    }
}

/// <summary>The host in Development: appsettings.Development.json and its documented demo accounts.</summary>
public sealed class DevelopmentFactory : ApiFactory
{
    protected override string EnvironmentName => "Development";
}

/// <summary>The host in Production with demo accounts configured but not enabled.</summary>
public sealed class ProductionWithDemoUsersFactory : ApiFactory
{
    public ProductionWithDemoUsersFactory()
    {
        Settings["Review:DemoAccounts:Users:0:UserName"] = "reviewer";
        Settings["Review:DemoAccounts:Users:0:PasswordHash"] = DemoPasswords.Hash("reviewer-demo");
        Settings["Review:DemoAccounts:Users:0:Roles:0"] = "reviewer";
    }

    protected override string EnvironmentName => "Production";
}
