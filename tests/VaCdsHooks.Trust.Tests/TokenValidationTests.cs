using System.Net;
using Microsoft.Extensions.Logging;
using VaCdsHooks.Testing;
using VaCdsHooks.Trust.Tests.Support;
using static VaCdsHooks.Trust.Tests.Support.TrustTestHost;

namespace VaCdsHooks.Trust.Tests;

/// <summary>CDS Hooks 2.0 "Trusting CDS Clients": which EHR tokens are accepted and which get a 401.</summary>
public sealed class TokenValidationTests
{
    [Fact]
    public async Task Es384_token_from_registered_ehr_is_accepted_and_exposes_the_client()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Algorithm = "ES384");

        var seen = await AssertAcceptedAsync(response);
        Assert.Equal(host.Ehr.Issuer, seen.GetProperty("issuer").GetString());
        Assert.Equal(host.Ehr.Issuer, seen.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task Rs384_token_from_registered_ehr_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Algorithm = "RS384");

        await AssertAcceptedAsync(response);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES512")]
    [InlineData("RS256")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    public async Task Other_asymmetric_algorithm_is_accepted(string algorithm)
    {
        await using var host = await StartAsync((_, ehr) => ehr.AddKey(algorithm));

        var response = await host.CallServiceAsync(t => t.Algorithm = algorithm);

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Request_without_token_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}", token: null);

        await AssertRejectedAsync(response, EhrTokenRejection.MissingToken);
    }

    [Fact]
    public async Task Bearer_value_that_is_not_a_jwt_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}", "not-a-jwt");

        await AssertRejectedAsync(response, EhrTokenRejection.MalformedToken);
    }

    [Fact]
    public async Task Token_signed_by_a_different_key_under_a_published_kid_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t =>
        {
            t.SigningKey = EhrTestKey.Create("ES384");
            t.KeyId = host.Ehr.Es384Key.KeyId;
        });

        await AssertRejectedAsync(response, EhrTokenRejection.InvalidSignature);
    }

    [Fact]
    public async Task Token_with_altered_payload_is_rejected()
    {
        await using var host = await StartAsync();
        var genuine = host.Ehr.CreateToken(ServiceUrl());
        var forged = host.Ehr.CreateToken(ServiceUrl(), t => t.Tenant = "someone-else");
        var parts = genuine.Split('.');
        var spliced = $"{parts[0]}.{forged.Split('.')[1]}.{parts[2]}";

        var response = await host.PostAsync($"/cds-services/{ServiceId}", spliced);

        await AssertRejectedAsync(response, EhrTokenRejection.InvalidSignature);
    }

    [Fact]
    public async Task Token_signed_with_alg_none_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Algorithm = "none");

        await AssertRejectedAsync(response, EhrTokenRejection.UnsupportedAlgorithm);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public async Task Token_signed_with_symmetric_algorithm_is_rejected(string algorithm)
    {
        await using var host = await StartAsync();

        // The classic confusion attack: the EHR's public key used as the HMAC secret.
        var response = await host.CallServiceAsync(t =>
        {
            t.Algorithm = algorithm;
            t.HmacSecret = host.Ehr.Rs384Key.PublicKeyBytes;
            t.KeyId = host.Ehr.Rs384Key.KeyId;
        });

        await AssertRejectedAsync(response, EhrTokenRejection.UnsupportedAlgorithm);
    }

    [Fact]
    public async Task Token_whose_alg_does_not_fit_the_key_named_by_kid_is_rejected()
    {
        await using var host = await StartAsync();

        // Signed correctly with an RS256-capable RSA key, but the published JWK pins alg RS384.
        var response = await host.CallServiceAsync(t =>
        {
            t.Algorithm = "RS256";
            t.SigningKey = host.Ehr.Rs384Key;
        });

        await AssertRejectedAsync(response, EhrTokenRejection.UnknownSigningKey);
    }

    [Fact]
    public async Task Token_from_unknown_issuer_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Issuer = "https://other-ehr.example.net");

        await AssertRejectedAsync(response, EhrTokenRejection.UnknownIssuer);
        Assert.Equal(0, host.Jwks.TotalFetchCount);
    }

    [Fact]
    public async Task Token_for_another_service_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}", host.Ehr.CreateToken(ServiceUrl("crd-order-select")));

        await AssertRejectedAsync(response, EhrTokenRejection.WrongAudience);
    }

    [Fact]
    public async Task Token_for_the_same_path_on_another_host_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Audience = $"https://cds.example.org.evil.example/cds-services/{ServiceId}");

        await AssertRejectedAsync(response, EhrTokenRejection.WrongAudience);
    }

    [Fact]
    public async Task Token_without_audience_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Audiences = null);

        await AssertRejectedAsync(response, EhrTokenRejection.WrongAudience);
    }

    [Fact]
    public async Task Audience_array_that_contains_the_service_url_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Audiences = ["https://elsewhere.example/x", ServiceUrl()]);

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Audience_with_trailing_slash_and_upper_case_host_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Audience = $"https://CDS.example.org/cds-services/{ServiceId}/");

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Feedback_accepts_a_token_for_the_service_url()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}/feedback", host.Ehr.CreateToken(ServiceUrl()));

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Feedback_accepts_a_token_for_the_feedback_url()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}/feedback", host.Ehr.CreateToken(FeedbackUrl()));

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Feedback_rejects_a_token_for_another_service()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}/feedback", host.Ehr.CreateToken(ServiceUrl("crd-order-select")));

        await AssertRejectedAsync(response, EhrTokenRejection.WrongAudience);
    }

    [Fact]
    public async Task Service_call_rejects_a_token_for_the_feedback_url()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync($"/cds-services/{ServiceId}", host.Ehr.CreateToken(FeedbackUrl()));

        await AssertRejectedAsync(response, EhrTokenRejection.WrongAudience);
    }

    [Fact]
    public async Task Expired_token_is_rejected()
    {
        await using var host = await StartAsync();
        var now = host.Time.GetUtcNow();

        var response = await host.CallServiceAsync(t =>
        {
            t.IssuedAt = now.AddMinutes(-4);
            t.ExpiresAt = now.AddMinutes(-2);
        });

        await AssertRejectedAsync(response, EhrTokenRejection.Expired);
    }

    [Fact]
    public async Task Token_expired_by_less_than_the_clock_skew_is_accepted()
    {
        await using var host = await StartAsync();
        var now = host.Time.GetUtcNow();

        var response = await host.CallServiceAsync(t =>
        {
            t.IssuedAt = now.AddMinutes(-2);
            t.ExpiresAt = now.AddSeconds(-10);
        });

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Token_living_longer_than_the_maximum_lifetime_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.WithLifetime(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1)));

        await AssertRejectedAsync(response, EhrTokenRejection.LifetimeNotAcceptable);
    }

    [Fact]
    public async Task Token_living_exactly_the_maximum_lifetime_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.WithLifetime(TimeSpan.FromMinutes(5)));

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Configured_maximum_lifetime_replaces_the_default()
    {
        await using var host = await StartAsync((settings, _) => settings["MaxTokenLifetime"] = "00:01:00");

        var response = await host.CallServiceAsync(t => t.WithLifetime(TimeSpan.FromMinutes(2)));

        await AssertRejectedAsync(response, EhrTokenRejection.LifetimeNotAcceptable);
    }

    [Fact]
    public async Task Token_without_exp_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.ExpiresAt = null);

        await AssertRejectedAsync(response, EhrTokenRejection.LifetimeNotAcceptable);
    }

    [Fact]
    public async Task Token_without_iat_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.IssuedAt = null);

        await AssertRejectedAsync(response, EhrTokenRejection.LifetimeNotAcceptable);
    }

    [Fact]
    public async Task Token_issued_in_the_future_is_rejected()
    {
        await using var host = await StartAsync();
        var later = host.Time.GetUtcNow().AddHours(1);

        var response = await host.CallServiceAsync(t =>
        {
            t.IssuedAt = later;
            t.ExpiresAt = later.AddMinutes(2);
        });

        await AssertRejectedAsync(response, EhrTokenRejection.NotYetValid);
    }

    [Fact]
    public async Task Token_without_jti_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.JwtId = null);

        await AssertRejectedAsync(response, EhrTokenRejection.MissingJti);
    }

    [Fact]
    public async Task Replayed_token_is_rejected_within_its_lifetime()
    {
        await using var host = await StartAsync();
        var token = host.Ehr.CreateToken(ServiceUrl());

        var first = await host.PostAsync($"/cds-services/{ServiceId}", token);
        var second = await host.PostAsync($"/cds-services/{ServiceId}", token);

        await AssertAcceptedAsync(first);
        await AssertRejectedAsync(second, EhrTokenRejection.Replayed);
    }

    [Fact]
    public async Task Token_refused_for_its_audience_does_not_use_up_its_jti()
    {
        await using var host = await StartAsync();
        var jti = Guid.NewGuid().ToString();

        var wrongAudience = await host.PostAsync($"/cds-services/{ServiceId}", host.Ehr.CreateToken(ServiceUrl("other"), t => t.JwtId = jti));
        var right = await host.PostAsync($"/cds-services/{ServiceId}", host.Ehr.CreateToken(ServiceUrl(), t => t.JwtId = jti));

        await AssertRejectedAsync(wrongAudience, EhrTokenRejection.WrongAudience);
        await AssertAcceptedAsync(right);
    }

    [Fact]
    public async Task Token_with_tenant_other_than_the_registered_one_is_rejected()
    {
        await using var host = await StartAsync((settings, _) => settings["Clients:0:Tenant"] = "va-north");

        var response = await host.CallServiceAsync(t => t.Tenant = "va-south");

        await AssertRejectedAsync(response, EhrTokenRejection.TenantMismatch);
    }

    // RFC 7515 section 4.1.11: extensions listed in crit must be understood, or the token is refused.
    [Theory]
    [InlineData("exp")]
    [InlineData("http://example.org/unknown-extension")]
    public async Task Token_naming_critical_header_extensions_is_rejected(string critical)
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t =>
        {
            t.ExtraHeaders["crit"] = new[] { critical };
            t.ExtraHeaders[critical] = "x";
        });

        await AssertRejectedAsync(response, EhrTokenRejection.UnsupportedCriticalHeader);
    }

    [Fact]
    public async Task Token_whose_tenant_is_an_array_starting_with_the_registered_one_is_rejected()
    {
        await using var host = await StartAsync((settings, _) => settings["Clients:0:Tenant"] = "va-north");

        var response = await host.CallServiceAsync(t => t.ExtraClaims["tenant"] = new[] { "va-north", "va-south" });

        await AssertRejectedAsync(response, EhrTokenRejection.TenantMismatch);
    }

    [Fact]
    public async Task Token_with_the_registered_tenant_is_accepted()
    {
        await using var host = await StartAsync((settings, _) => settings["Clients:0:Tenant"] = "va-north");

        var response = await host.CallServiceAsync(t => t.Tenant = "va-north");

        var seen = await AssertAcceptedAsync(response);
        Assert.Equal("va-north", seen.GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task Token_without_tenant_is_accepted_when_the_registration_has_one()
    {
        await using var host = await StartAsync((settings, _) => settings["Clients:0:Tenant"] = "va-north");

        var response = await host.CallServiceAsync(t => t.Tenant = null);

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Token_with_subject_and_tenant_is_accepted_when_the_registration_has_no_tenant()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t =>
        {
            t.Subject = "ehr-client-42";
            t.Tenant = "any-tenant";
        });

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Token_without_kid_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.KeyId = null);

        await AssertRejectedAsync(response, EhrTokenRejection.UnknownSigningKey);
    }

    [Fact]
    public async Task Token_with_typ_other_than_jwt_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Type = "at+jwt");

        await AssertRejectedAsync(response, EhrTokenRejection.MalformedToken);
    }

    [Fact]
    public async Task Token_with_jku_not_on_the_allow_list_is_rejected_without_fetching_it()
    {
        const string Rogue = "https://attacker.example/jwks.json";
        await using var host = await StartAsync((settings, _) => settings["Clients:0:AllowedJku:0"] = "https://ehr.example.com/keys/jwks.json");
        host.Jwks.Serve(Rogue, host.Ehr);

        var response = await host.CallServiceAsync(t => t.Jku = Rogue);

        await AssertRejectedAsync(response, EhrTokenRejection.JkuNotAllowed);
        Assert.Equal(0, host.Jwks.FetchCount(Rogue));
    }

    [Fact]
    public async Task Token_with_jku_from_a_client_without_allow_list_is_rejected()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Jku = "https://ehr.example.com/keys/jwks.json");

        await AssertRejectedAsync(response, EhrTokenRejection.JkuNotAllowed);
    }

    [Fact]
    public async Task Token_with_allow_listed_jku_is_verified_against_the_jku_key_set()
    {
        const string Jku = "https://ehr.example.com/keys/jwks.json";
        await using var host = await StartAsync((settings, _) => settings["Clients:0:AllowedJku:0"] = Jku);
        using var jkuKey = EhrTestKey.Create("ES384");
        host.Jwks.Serve(Jku, () => EhrTokenFactory.CreateJwks([jkuKey]));

        var response = await host.CallServiceAsync(t =>
        {
            t.Jku = Jku;
            t.SigningKey = jkuKey;
        });

        await AssertAcceptedAsync(response);
        Assert.Equal(1, host.Jwks.FetchCount(Jku));
        Assert.Equal(0, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Token_whose_jku_is_the_registered_jwks_url_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.CallServiceAsync(t => t.Jku = JwksUrl);

        await AssertAcceptedAsync(response);
    }

    [Fact]
    public async Task Client_with_inline_jwks_is_accepted_without_any_fetch()
    {
        await using var host = await StartAsync((settings, ehr) =>
        {
            settings.Remove("Clients:0:JwksUrl");
            settings["Clients:0:Jwks"] = ehr.JwksJson;
        });

        var response = await host.CallServiceAsync(t => t.Algorithm = "RS384");

        await AssertAcceptedAsync(response);
        Assert.Equal(0, host.Jwks.TotalFetchCount);
    }

    [Fact]
    public async Task Second_registered_client_is_told_apart_by_issuer()
    {
        using var other = new EhrTokenFactory("https://second-ehr.example.org");
        await using var host = await StartAsync((settings, _) =>
        {
            settings["Clients:1:Issuer"] = other.Issuer;
            settings["Clients:1:ClientId"] = "second-client";
            settings["Clients:1:Jwks"] = other.JwksJson;
        });

        var response = await host.PostAsync($"/cds-services/{ServiceId}", other.CreateToken(ServiceUrl()));

        var seen = await AssertAcceptedAsync(response);
        Assert.Equal(other.Issuer, seen.GetProperty("issuer").GetString());
        Assert.Equal("second-client", seen.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task Client_cannot_use_another_clients_key()
    {
        using var other = new EhrTokenFactory("https://second-ehr.example.org");
        await using var host = await StartAsync((settings, _) =>
        {
            settings["Clients:1:Issuer"] = other.Issuer;
            settings["Clients:1:Jwks"] = other.JwksJson;
        });

        // Claims to be the first EHR but is signed by the second one's key.
        var response = await host.CallServiceAsync(t => t.SigningKey = other.Es384Key);

        await AssertRejectedAsync(response, EhrTokenRejection.UnknownSigningKey);
    }

    [Fact]
    public async Task Rejection_is_logged_with_issuer_and_jti_but_never_the_token()
    {
        await using var host = await StartAsync();
        var jti = Guid.NewGuid().ToString();
        var token = host.Ehr.CreateToken(ServiceUrl("elsewhere"), t => t.JwtId = jti);

        var response = await host.PostAsync($"/cds-services/{ServiceId}", token);

        await AssertRejectedAsync(response, EhrTokenRejection.WrongAudience);
        var lines = host.Logs.Lines.ToArray();
        Assert.Contains(lines, l => l.Level == LogLevel.Information
            && l.Message.Contains("WrongAudience", StringComparison.Ordinal)
            && l.Message.Contains(host.Ehr.Issuer, StringComparison.Ordinal)
            && l.Message.Contains(jti, StringComparison.Ordinal));
        var signature = token.Split('.')[2];
        Assert.DoesNotContain(lines, l => l.Message.Contains(signature, StringComparison.Ordinal)
            || (l.Exception?.ToString().Contains(signature, StringComparison.Ordinal) ?? false));
    }

    [Fact]
    public async Task Bad_signature_rejection_logs_nothing_of_the_token()
    {
        await using var host = await StartAsync();
        var token = host.Ehr.CreateToken(ServiceUrl(), t =>
        {
            t.SigningKey = EhrTestKey.Create("ES384");
            t.KeyId = host.Ehr.Es384Key.KeyId;
        });

        var response = await host.PostAsync($"/cds-services/{ServiceId}", token);

        await AssertRejectedAsync(response, EhrTokenRejection.InvalidSignature);
        var parts = token.Split('.');
        Assert.DoesNotContain(host.Logs.Lines, l => parts.Any(part =>
            l.Message.Contains(part, StringComparison.Ordinal)
            || (l.Exception?.ToString().Contains(part, StringComparison.Ordinal) ?? false)));
    }

    [Fact]
    public async Task Host_configured_from_the_factory_client_settings_accepts_its_tokens()
    {
        using var ehr = new EhrTokenFactory("https://settings-ehr.example.org");
        await using var host = await StartAsync((settings, _) =>
        {
            foreach (var (key, value) in ehr.ClientSettings(1, tenant: "t1", fhirServers: "https://settings-ehr.example.org/fhir"))
            {
                settings[key["CdsHooks:".Length..]] = value;
            }
        });

        var response = await host.PostAsync($"/cds-services/{ServiceId}", ehr.CreateToken(ServiceUrl(), t => t.Tenant = "t1"));

        var seen = await AssertAcceptedAsync(response);
        Assert.Equal(ehr.Issuer, seen.GetProperty("issuer").GetString());
        var registry = (IEhrClientRegistry)host.Services.GetService(typeof(IEhrClientRegistry))!;
        Assert.True(registry.FindByIssuer(ehr.Issuer)!.AllowsFhirServer(new Uri("https://settings-ehr.example.org/fhir")));
    }

    [Fact]
    public async Task Replay_cache_that_fails_yields_401_not_500()
    {
        await using var host = await StartAsync(configureTrust: trust => trust.UseReplayCache<ThrowingReplayCache>());

        var response = await host.CallServiceAsync();

        await AssertRejectedAsync(response, EhrTokenRejection.ReplayCheckUnavailable);
    }

    private sealed class ThrowingReplayCache : IJtiReplayCache
    {
        public ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            throw new HttpRequestException("shared store unreachable", null, HttpStatusCode.ServiceUnavailable);
    }
}
