using System.Net;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>How staff sign in is configuration: demo accounts only in Development, and no half-configured provider.</summary>
public sealed class ReviewConfigurationTests
{
    [Fact]
    public async Task The_documented_demo_accounts_sign_in_in_Development()
    {
        await using var factory = new DevelopmentFactory();

        foreach (var (user, password) in new[] { ("reviewer", "reviewer-demo"), ("medical-director", "director-demo"), ("admin", "admin-demo") })
        {
            using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var response = await ReviewFactory.PostSignInAsync(client, user, password);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
    }

    [Fact]
    public async Task Demo_accounts_do_not_exist_outside_Development_unless_enabled()
    {
        await using var factory = new ProductionWithDemoUsersFactory();
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetStringAsync("/review/sign-in");
        using var post = await client.PostAsync("/review/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = "reviewer", ["Password"] = "reviewer-demo" }));
        using var api = await client.GetAsync("/review/api/cases");

        Assert.DoesNotContain("name=\"Password\"", page, StringComparison.Ordinal);
        Assert.Contains("not configured", page, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Theory]
    [InlineData("Authority", "https://login.payer.example", "Review:Oidc:ClientId")]
    [InlineData("ClientId", "review-workspace", "Review:Oidc:Authority")]
    [InlineData("ClientSecret", "s3cret", "Review:Oidc:ClientId")]
    public void A_half_configured_OpenID_Connect_section_stops_start_up_naming_the_missing_key(string key, string value, string missing)
    {
        using var factory = new ApiFactory();
        factory.Settings["Review:Oidc:" + key] = value;

        var failure = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(failure);
        Assert.Contains(missing, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_map_to_an_unknown_role_stops_start_up()
    {
        using var factory = new ApiFactory();
        factory.Settings["Review:Oidc:Authority"] = "https://login.payer.example";
        factory.Settings["Review:Oidc:ClientId"] = "review-workspace";
        factory.Settings["Review:Oidc:ClientSecret"] = "s3cret";
        factory.Settings["Review:Oidc:RoleMap:pa-nurses"] = "superuser";

        var failure = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(failure);
        Assert.Contains("Review:Oidc:RoleMap:pa-nurses", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_password_in_place_of_a_hash_stops_start_up()
    {
        using var factory = new ApiFactory();
        factory.Settings["Review:DemoAccounts:Enabled"] = "true";
        factory.Settings["Review:DemoAccounts:Users:0:UserName"] = "reviewer";
        factory.Settings["Review:DemoAccounts:Users:0:PasswordHash"] = "reviewer-demo";
        factory.Settings["Review:DemoAccounts:Users:0:Roles:0"] = "reviewer";

        var failure = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(failure);
        Assert.Contains("Review:DemoAccounts:Users:0:PasswordHash", failure.ToString(), StringComparison.Ordinal);
    }
}
