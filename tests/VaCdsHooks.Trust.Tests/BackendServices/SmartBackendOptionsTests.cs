using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>The <c>BackendServices</c> section: the access-token signing key and lifetime, checked at start-up.</summary>
public sealed class SmartBackendOptionsTests
{
    private static ValidateOptionsResult Validate(SmartBackendOptions options) =>
        new SmartBackendOptionsValidator().Validate(null, options);

    [Fact]
    public async Task Without_a_configured_key_a_p256_key_is_generated_and_the_shortcoming_is_logged()
    {
        await using var host = await StartAsync();

        var token = new JsonWebToken(await host.GetAccessTokenAsync());

        Assert.Equal("ES256", token.Alg);
        Assert.Contains(host.Logs.Lines, l => l.EventId.Id == 4202 && l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Generated_key_is_announced_while_the_host_starts()
    {
        await using var host = await StartAsync();

        Assert.Single(host.Logs.Lines, l => l.EventId.Id == 4202);
    }

    [Fact]
    public async Task Configured_jwk_signs_the_tokens_under_its_own_kid()
    {
        var jwk = TestSigningKeys.EcP256PrivateJwk(keyId: "payer-dtr-2025");
        await using var host = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = jwk);

        var accessToken = await host.GetAccessTokenAsync();

        var token = new JsonWebToken(accessToken);
        Assert.Equal("payer-dtr-2025", token.Kid);
        await AssertSignedByAsync(accessToken, TestSigningKeys.PublicKeyOf(jwk));
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId.Id == 4202);
    }

    [Fact]
    public async Task Jwk_without_kid_is_named_by_its_rfc7638_thumbprint()
    {
        var jwk = TestSigningKeys.EcP256PrivateJwk();
        await using var host = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = jwk);

        var token = new JsonWebToken(await host.GetAccessTokenAsync());

        var expected = Base64UrlEncoder.Encode(new JsonWebKey(jwk).ComputeJwkThumbprint());
        Assert.Equal(expected, token.Kid);
    }

    [Fact]
    public async Task Signing_key_id_setting_overrides_the_kid()
    {
        await using var host = await StartAsync((settings, _) =>
        {
            settings["BackendServices:SigningKey"] = TestSigningKeys.EcP256PrivateJwk(keyId: "from-jwk");
            settings["BackendServices:SigningKeyId"] = "from-setting";
        });

        Assert.Equal("from-setting", new JsonWebToken(await host.GetAccessTokenAsync()).Kid);
    }

    [Fact]
    public async Task Rsa_jwk_signs_with_rs256()
    {
        var jwk = TestSigningKeys.RsaPrivateJwk();
        await using var host = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = jwk);

        var accessToken = await host.GetAccessTokenAsync();

        Assert.Equal("RS256", new JsonWebToken(accessToken).Alg);
        await AssertSignedByAsync(accessToken, TestSigningKeys.PublicKeyOf(jwk));
        await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", accessToken));
    }

    [Fact]
    public async Task Pem_file_named_by_signing_key_path_signs_the_tokens()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dtr-signing-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, TestSigningKeys.EcPkcs8Pem());
        try
        {
            await using var host = await StartAsync((settings, _) => settings["BackendServices:SigningKeyPath"] = path);

            var accessToken = await host.GetAccessTokenAsync();

            Assert.Equal("ES384", new JsonWebToken(accessToken).Alg);
            await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", accessToken));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Inline_rsa_pem_signs_the_tokens()
    {
        await using var host = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = TestSigningKeys.RsaPkcs1Pem());

        var accessToken = await host.GetAccessTokenAsync();

        Assert.Equal("RS256", new JsonWebToken(accessToken).Alg);
        await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", accessToken));
    }

    [Fact]
    public async Task Configured_lifetime_sets_expires_in_and_exp()
    {
        await using var host = await StartAsync((settings, _) => settings["BackendServices:AccessTokenLifetime"] = "00:02:00");

        var body = await AssertTokenIssuedAsync(await host.RequestTokenAsync());

        Assert.Equal(120, body.GetProperty("expires_in").GetInt32());
        var token = new JsonWebToken(body.GetProperty("access_token").GetString()!);
        Assert.Equal(TimeSpan.FromMinutes(2), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public void Defaults_are_valid_and_five_minutes()
    {
        var options = new SmartBackendOptions();

        Assert.True(Validate(options).Succeeded);
        Assert.Equal(TimeSpan.FromMinutes(5), options.AccessTokenLifetime);
    }

    [Theory]
    [InlineData("00:05:01")]
    [InlineData("01:00:00")]
    [InlineData("00:00:10")]
    public void Lifetime_outside_thirty_seconds_to_five_minutes_is_refused(string lifetime)
    {
        var result = Validate(new SmartBackendOptions { AccessTokenLifetime = TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Contains(result.Failures!, f => f.Contains("BackendServices:AccessTokenLifetime", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_key_sources_are_refused()
    {
        var result = Validate(new SmartBackendOptions { SigningKey = TestSigningKeys.EcP256PrivateJwk(), SigningKeyPath = "/keys/dtr.pem" });

        Assert.Contains(result.Failures!, f => f.Contains("at most one signing key source", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}")]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}")]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"d\":\"AAAA\"}")]
    [InlineData("{not json")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----")]
    public void Unusable_signing_key_is_refused_with_the_setting_named(string key)
    {
        var result = Validate(new SmartBackendOptions { SigningKey = key });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("BackendServices:SigningKey ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_half_of_a_key_is_refused()
    {
        var publicOnly = JsonSerializer.Serialize(JsonSerializer.Deserialize<Dictionary<string, string>>(TestSigningKeys.EcP256PrivateJwk())!
            .Where(pair => pair.Key != "d")
            .ToDictionary());

        var result = Validate(new SmartBackendOptions { SigningKey = publicOnly });

        Assert.Contains(result.Failures!, f => f.Contains("no private part", StringComparison.Ordinal));
    }

    [Fact]
    public void Rsa_key_under_2048_bits_is_refused()
    {
        var result = Validate(new SmartBackendOptions { SigningKey = TestSigningKeys.RsaPrivateJwk(1024) });

        Assert.Contains(result.Failures!, f => f.Contains("fewer than 2048 bits", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_key_file_is_refused_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pem");

        var result = Validate(new SmartBackendOptions { SigningKeyPath = path });

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("BackendServices:SigningKeyPath", failure, StringComparison.Ordinal);
        Assert.Contains(path, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Failure_message_never_contains_key_material()
    {
        var jwk = TestSigningKeys.EcP256PrivateJwk();
        var broken = jwk.Replace("\"P-256\"", "\"P-999\"", StringComparison.Ordinal);
        var d = JsonSerializer.Deserialize<Dictionary<string, string>>(jwk)!["d"];

        var result = Validate(new SmartBackendOptions { SigningKey = broken });

        Assert.DoesNotContain(result.Failures!, f => f.Contains(d, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_backend_services_settings_stop_the_host()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartAsync((settings, _) => settings["BackendServices:AccessTokenLifetime"] = "00:30:00"));

        Assert.Contains("BackendServices:AccessTokenLifetime", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_clients_with_the_same_client_id_stop_the_host()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync((settings, ehr) =>
        {
            settings["CdsHooks:Clients:0:ClientId"] = "dtr-app";
            settings["CdsHooks:Clients:1:Issuer"] = "https://other-ehr.example.com";
            settings["CdsHooks:Clients:1:Jwks"] = ehr.JwksJson;
            settings["CdsHooks:Clients:1:ClientId"] = "dtr-app";
        }));

        Assert.Contains("CdsHooks:Clients:1:ClientId 'dtr-app'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_id_equal_to_another_clients_issuer_stops_the_host()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync((settings, ehr) =>
        {
            settings["CdsHooks:Clients:1:Issuer"] = "https://other-ehr.example.com";
            settings["CdsHooks:Clients:1:Jwks"] = ehr.JwksJson;
            settings["CdsHooks:Clients:1:ClientId"] = ehr.Issuer;
        }));

        Assert.Contains("CdsHooks:Clients:1:ClientId", failure.Message, StringComparison.Ordinal);
    }

    private static async Task AssertSignedByAsync(string accessToken, SecurityKey key)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = true,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public void Ec_curve_decides_the_algorithm()
    {
        var p384 = AccessTokenSigningKey.TryRead(TestSigningKeys.EcPrivateJwk(ECCurve.NamedCurves.nistP384, "P-384"), null, out _);
        var p521 = AccessTokenSigningKey.TryRead(TestSigningKeys.EcPrivateJwk(ECCurve.NamedCurves.nistP521, "P-521"), null, out _);

        Assert.Equal("ES384", p384!.Algorithm);
        Assert.Equal("ES512", p521!.Algorithm);
    }
}
