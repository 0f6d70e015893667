using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using VaCdsHooks.Testing;
using VaCdsHooks.Trust.Tests.Support;

namespace VaCdsHooks.Trust.Tests;

/// <summary>Start-up validation of the <c>CdsHooks</c> section: misconfiguration stops the host, it does not lock EHRs out later.</summary>
public sealed class OptionsValidationTests
{
    private static Dictionary<string, string?> ValidClient() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Clients:0:Issuer"] = "https://ehr.example.com",
        ["Clients:0:JwksUrl"] = "https://ehr.example.com/jwks",
        ["Clients:0:FhirServers:0"] = "https://ehr.example.com/fhir",
    };

    [Fact]
    public void Valid_configuration_binds_with_defaults()
    {
        using var services = new ServiceProviderFixture(ValidClient());

        var options = services.GetRequired<IOptions<EhrTrustOptions>>().Value;

        Assert.Equal("https://cds.example.org", options.PublicBaseUrl);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(30), options.JwksMinimumRefreshInterval);
        var client = Assert.Single(options.Clients);
        Assert.Equal("https://ehr.example.com/fhir", Assert.Single(client.FhirServers));
    }

    [Fact]
    public void Environment_variables_with_double_underscores_bind_clients()
    {
        var prefix = $"VACDS_TRUST_TEST_{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [$"{prefix}CdsHooks__PublicBaseUrl"] = "https://cds.va.example",
            [$"{prefix}CdsHooks__Clients__0__Issuer"] = "https://ehr.example.com",
            [$"{prefix}CdsHooks__Clients__0__JwksUrl"] = "https://ehr.example.com/jwks",
            [$"{prefix}CdsHooks__Clients__0__AllowedJku__0"] = "https://ehr.example.com/keys",
            [$"{prefix}CdsHooks__Clients__0__Tenant"] = "north",
            [$"{prefix}CdsHooks__MaxTokenLifetime"] = "00:02:00",
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            using var services = new ServiceProviderFixture(
                new Dictionary<string, string?> { ["PublicBaseUrl"] = null },
                addSources: builder => builder.AddEnvironmentVariables(prefix));

            var options = services.GetRequired<IOptions<EhrTrustOptions>>().Value;

            Assert.Equal("https://cds.va.example", options.PublicBaseUrl);
            Assert.Equal(TimeSpan.FromMinutes(2), options.MaxTokenLifetime);
            var client = Assert.Single(options.Clients);
            Assert.Equal("north", client.Tenant);
            Assert.Equal("https://ehr.example.com/keys", Assert.Single(client.AllowedJku));
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Theory]
    [InlineData(null, "PublicBaseUrl is required")]
    [InlineData("cds.example.org", "CdsHooks:PublicBaseUrl must be an absolute https URL")]
    [InlineData("http://cds.example.org", "CdsHooks:PublicBaseUrl must use https")]
    [InlineData("https://cds.example.org/?tenant=1", "CdsHooks:PublicBaseUrl must be an absolute https URL")]
    public void Invalid_public_base_url_fails_validation(string? publicBaseUrl, string expected)
    {
        var settings = ValidClient();
        settings["PublicBaseUrl"] = publicBaseUrl ?? string.Empty;

        AssertInvalid(settings, expected);
    }

    [Theory]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.0.0.1:5080")]
    public void Http_public_base_url_on_loopback_is_accepted(string publicBaseUrl)
    {
        var settings = ValidClient();
        settings["PublicBaseUrl"] = publicBaseUrl;
        using var services = new ServiceProviderFixture(settings);

        Assert.Equal(publicBaseUrl, services.GetRequired<IOptions<EhrTrustOptions>>().Value.PublicBaseUrl);
    }

    [Fact]
    public void Http_public_base_url_is_accepted_in_development()
    {
        var settings = ValidClient();
        settings["PublicBaseUrl"] = "http://cds.dev.example";
        using var services = new ServiceProviderFixture(settings, environment: "Development");

        Assert.Equal("http://cds.dev.example", services.GetRequired<IOptions<EhrTrustOptions>>().Value.PublicBaseUrl);
    }

    [Fact]
    public void Configuration_without_clients_fails_validation() =>
        AssertInvalid(new Dictionary<string, string?>(), "CdsHooks:Clients must register at least one EHR");

    [Fact]
    public void Client_without_issuer_fails_validation()
    {
        var settings = ValidClient();
        settings.Remove("Clients:0:Issuer");

        AssertInvalid(settings, "CdsHooks:Clients:0:Issuer is required");
    }

    [Fact]
    public void Two_clients_with_one_client_id_fail_validation()
    {
        var settings = ValidClient();
        settings["Clients:0:ClientId"] = "dtr-app";
        settings["Clients:1:Issuer"] = "https://other-ehr.example.com";
        settings["Clients:1:JwksUrl"] = "https://other-ehr.example.com/jwks";
        settings["Clients:1:ClientId"] = "dtr-app";

        AssertInvalid(settings, "CdsHooks:Clients:1:ClientId 'dtr-app' is already the client id of another client");
    }

    [Fact]
    public void Client_id_equal_to_another_clients_issuer_fails_validation()
    {
        var settings = ValidClient();
        settings["Clients:1:Issuer"] = "https://other-ehr.example.com";
        settings["Clients:1:JwksUrl"] = "https://other-ehr.example.com/jwks";
        settings["Clients:1:ClientId"] = "https://ehr.example.com";

        AssertInvalid(settings, "CdsHooks:Clients:1:ClientId 'https://ehr.example.com' is already the client id");
    }

    [Fact]
    public void Distinct_client_ids_bind_and_default_to_the_issuer()
    {
        var settings = ValidClient();
        settings["Clients:1:Issuer"] = "https://other-ehr.example.com";
        settings["Clients:1:JwksUrl"] = "https://other-ehr.example.com/jwks";
        settings["Clients:1:ClientId"] = "dtr-app";
        using var services = new ServiceProviderFixture(settings);

        var clients = services.GetRequired<IEhrClientRegistry>().Clients;

        Assert.Equal(["https://ehr.example.com", "dtr-app"], clients.Select(c => c.ClientId));
    }

    [Fact]
    public void Client_with_both_jwks_url_and_inline_jwks_fails_validation()
    {
        using var ehr = new EhrTokenFactory();
        var settings = ValidClient();
        settings["Clients:0:Jwks"] = ehr.JwksJson;

        AssertInvalid(settings, "CdsHooks:Clients:0 needs exactly one key source");
    }

    [Fact]
    public void Client_without_key_source_fails_validation()
    {
        var settings = ValidClient();
        settings.Remove("Clients:0:JwksUrl");

        AssertInvalid(settings, "CdsHooks:Clients:0 needs exactly one key source");
    }

    [Theory]
    [InlineData("Clients:0:JwksUrl", "/jwks", "CdsHooks:Clients:0:JwksUrl must be an absolute https URL")]
    [InlineData("Clients:0:JwksUrl", "http://ehr.example.com/jwks", "CdsHooks:Clients:0:JwksUrl must use https")]
    [InlineData("Clients:0:AllowedJku:0", "keys/jwks.json", "CdsHooks:Clients:0:AllowedJku:0 must be an absolute https URL")]
    [InlineData("Clients:0:FhirServers:0", "ehr.example.com/fhir", "CdsHooks:Clients:0:FhirServers:0 must be an absolute http(s) base URL")]
    [InlineData("Clients:0:FhirServers:0", "https://ehr.example.com/a/../fhir", "CdsHooks:Clients:0:FhirServers:0 must be an absolute http(s) base URL")]
    public void Relative_or_insecure_client_url_fails_validation(string key, string value, string expected)
    {
        var settings = ValidClient();
        settings[key] = value;

        AssertInvalid(settings, expected);
    }

    [Fact]
    public void Duplicate_issuers_fail_validation()
    {
        var settings = ValidClient();
        settings["Clients:1:Issuer"] = "https://ehr.example.com";
        settings["Clients:1:JwksUrl"] = "https://ehr.example.com/other-jwks";

        AssertInvalid(settings, "CdsHooks:Clients:1:Issuer 'https://ehr.example.com' is registered more than once");
    }

    [Theory]
    [InlineData("not json", "is not a JSON Web Key Set")]
    [InlineData("""{"keys":[{"kty":"oct","kid":"shared","k":"c2VjcmV0"}]}""", "holds no usable signature key")]
    [InlineData("""{"keys":[]}""", "holds no usable signature key")]
    public void Inline_jwks_without_usable_key_fails_validation(string jwks, string expected)
    {
        var settings = ValidClient();
        settings.Remove("Clients:0:JwksUrl");
        settings["Clients:0:Jwks"] = jwks;

        AssertInvalid(settings, $"CdsHooks:Clients:0:Jwks {expected}");
    }

    [Theory]
    [InlineData("MaxTokenLifetime", "00:00:00")]
    [InlineData("MaxTokenLifetime", "02:00:00")]
    [InlineData("ClockSkew", "-00:00:01")]
    [InlineData("ClockSkew", "00:10:00")]
    [InlineData("JwksMinimumRefreshInterval", "00:00:00")]
    [InlineData("JwksFetchTimeout", "00:05:00")]
    public void Setting_outside_its_range_fails_validation(string setting, string value)
    {
        var settings = ValidClient();
        settings[setting] = value;

        AssertInvalid(settings, $"CdsHooks:{setting} must be between");
    }

    [Fact]
    public async Task Host_with_invalid_configuration_does_not_start()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CdsHooks:PublicBaseUrl"] = "http://cds.example.org",
            ["CdsHooks:Clients:0:Issuer"] = "https://ehr.example.com",
            ["CdsHooks:Clients:0:JwksUrl"] = "https://ehr.example.com/jwks",
        });
        builder.Services.AddEhrTrust(builder.Configuration);
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(failure.Failures, f => f.Contains("CdsHooks:PublicBaseUrl must use https", StringComparison.Ordinal));
    }

    private static void AssertInvalid(IDictionary<string, string?> settings, string expectedFailure)
    {
        using var services = new ServiceProviderFixture(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequired<IOptions<EhrTrustOptions>>().Value);

        Assert.Contains(failure.Failures, f => f.Contains(expectedFailure, StringComparison.Ordinal));
    }
}
