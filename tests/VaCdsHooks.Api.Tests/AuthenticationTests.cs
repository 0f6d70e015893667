using System.Net;
using System.Text.Json;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Testing;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Every hook call needs a JWT signed by a registered EHR (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients);
/// each way of getting it wrong is a 401 with a ProblemDetails body, through the real host.
/// </summary>
public sealed class AuthenticationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string OrderSign = "vertebral-augmentation-order-sign";
    private static readonly string Audience = $"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}";

    private Task<HttpResponseMessage> PostAsync(string? token) => factory.PostHookAsync(OrderSign, Charts.Request(Charts.Covered).ToJsonString(), token ?? "");

    public static TheoryData<string> BadTokens() =>
    [
        "garbage", "alg-none", "bad-signature", "unknown-issuer", "wrong-audience", "expired",
        "too-long-lived", "jku-not-allowed", "no-jti", "no-exp", "hs256-with-public-key-bytes", "tenant-mismatch",
    ];

    private string Token(string how)
    {
        var tokens = factory.Tokens;
        return how switch
        {
            "garbage" => "not.a.jwt",
            "alg-none" => tokens.CreateToken(Audience, d => d.Algorithm = "none"),
            "bad-signature" => tokens.CreateToken(Audience, d => d.SignedWithUnpublishedKey()),
            "unknown-issuer" => tokens.CreateToken(Audience, d => d.Issuer = "https://someone-else.example"),
            "wrong-audience" => tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/another-service"),
            "expired" => tokens.CreateToken(Audience, d =>
            {
                d.IssuedAt = DateTimeOffset.UtcNow.AddMinutes(-10);
                d.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-6);
            }),
            "too-long-lived" => tokens.CreateToken(Audience, d => d.WithLifetime(TimeSpan.FromHours(2))),
            "jku-not-allowed" => tokens.CreateToken(Audience, d => d.Jku = "https://attacker.example/jwks.json"),
            "no-jti" => tokens.CreateToken(Audience, d => d.JwtId = null),
            "no-exp" => tokens.CreateToken(Audience, d => d.ExpiresAt = null),
            "hs256-with-public-key-bytes" => tokens.CreateToken(Audience, d =>
            {
                d.Algorithm = "HS256";
                d.HmacSecret = System.Text.Encoding.UTF8.GetBytes(tokens.JwksJson);
            }),
            "tenant-mismatch" => tokens.CreateToken(Audience, d => d.Tenant = "another-tenant"),
            _ => throw new ArgumentOutOfRangeException(nameof(how), how, null),
        };
    }

    [Fact]
    public async Task A_call_without_a_token_is_401()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsync($"/cds-services/{OrderSign}", new StringContent(Charts.Request(Charts.Covered).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401_with_a_problem_body(string how)
    {
        using var response = await PostAsync(Token(how));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_replayed_token_is_401_the_second_time()
    {
        var token = factory.Tokens.CreateToken(Audience);

        using var first = await PostAsync(token);
        using var second = await PostAsync(token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
    }

    // Several instances behind a load balancer, or one restarted: the jti is remembered in the shared database.
    [Fact]
    public async Task A_token_accepted_by_one_instance_is_refused_by_another_sharing_the_database()
    {
        using var other = factory.CreateSibling();
        var token = factory.Tokens.CreateToken(Audience);

        using var first = await PostAsync(token);
        using var replayed = await other.PostHookAsync(OrderSign, Charts.Request(Charts.Covered).ToJsonString(), token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS384")]
    public async Task A_token_signed_with_a_registered_key_is_accepted(string algorithm)
    {
        using var response = await PostAsync(factory.Tokens.CreateToken(Audience, d =>
        {
            d.Algorithm = algorithm;
            d.SigningKey = factory.Tokens.KeyFor(algorithm);
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
