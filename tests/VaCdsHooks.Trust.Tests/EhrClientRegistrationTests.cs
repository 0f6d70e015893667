using VaCdsHooks.Trust.Tests.Support;

namespace VaCdsHooks.Trust.Tests;

/// <summary><see cref="EhrClientRegistration.AllowsFhirServer"/>: exact base URL match, no prefix or path tricks.</summary>
public sealed class EhrClientRegistrationTests
{
    private static readonly EhrClientRegistration Client = new(
        "https://ehr.example.com",
        fhirServers: [new Uri("https://ehr.example.com/fhir"), new Uri("https://ehr.example.com:8443/r4/")]);

    [Theory]
    [InlineData("https://ehr.example.com/fhir")]
    [InlineData("https://ehr.example.com/fhir/")]
    [InlineData("https://EHR.Example.com/fhir")]
    [InlineData("https://ehr.example.com:443/fhir")]
    [InlineData("https://ehr.example.com:8443/r4")]
    [InlineData("https://ehr.example.com:8443/r4/")]
    public void Registered_fhir_base_url_is_allowed(string fhirServer) =>
        Assert.True(Client.AllowsFhirServer(new Uri(fhirServer)));

    [Theory]
    [InlineData("https://ehr.example.com.evil.com/fhir")]
    [InlineData("https://evil.com/fhir")]
    [InlineData("https://ehr.example.com@evil.com/fhir")]
    [InlineData("https://user@ehr.example.com/fhir")]
    [InlineData("http://ehr.example.com/fhir")]
    [InlineData("https://ehr.example.com:8443/fhir")]
    [InlineData("https://ehr.example.com/fhir/../other")]
    [InlineData("https://ehr.example.com/other/../fhir")]
    [InlineData("https://ehr.example.com/fhir/./")]
    [InlineData("https://ehr.example.com/fhir/%2e%2e/other")]
    [InlineData("https://ehr.example.com/fhirx")]
    [InlineData("https://ehr.example.com/fhir/Patient")]
    [InlineData("https://ehr.example.com/FHIR")]
    [InlineData("https://ehr.example.com/")]
    [InlineData("https://ehr.example.com/fhir?x=1")]
    [InlineData("https://ehr.example.com/fhir#frag")]
    [InlineData("ftp://ehr.example.com/fhir")]
    public void Other_url_is_not_allowed(string fhirServer) =>
        Assert.False(Client.AllowsFhirServer(new Uri(fhirServer)));

    [Fact]
    public void Relative_url_is_not_allowed() =>
        Assert.False(Client.AllowsFhirServer(new Uri("/fhir", UriKind.Relative)));

    [Fact]
    public void Client_without_fhir_servers_allows_none() =>
        Assert.False(new EhrClientRegistration("https://ehr.example.com").AllowsFhirServer(new Uri("https://ehr.example.com/fhir")));

    [Fact]
    public void Client_id_defaults_to_the_issuer()
    {
        var registration = new EhrClientRegistration("https://ehr.example.com");

        Assert.Equal("https://ehr.example.com", registration.ClientId);
        Assert.Null(registration.Tenant);
    }

    [Fact]
    public void Registry_finds_clients_by_exact_issuer()
    {
        using var host = new ServiceProviderFixture(new Dictionary<string, string?>
        {
            ["Clients:0:Issuer"] = "https://ehr.example.com",
            ["Clients:0:JwksUrl"] = "https://ehr.example.com/jwks",
            ["Clients:0:ClientId"] = "ehr-client",
            ["Clients:0:Tenant"] = "north",
            ["Clients:0:FhirServers:0"] = "https://ehr.example.com/fhir",
        });
        var registry = host.GetRequired<IEhrClientRegistry>();

        var found = registry.FindByIssuer("https://ehr.example.com");

        Assert.NotNull(found);
        Assert.Equal("ehr-client", found.ClientId);
        Assert.Equal("north", found.Tenant);
        Assert.True(found.AllowsFhirServer(new Uri("https://ehr.example.com/fhir/")));
        Assert.Null(registry.FindByIssuer("https://ehr.example.com/"));
        Assert.Null(registry.FindByIssuer("HTTPS://EHR.EXAMPLE.COM"));
        Assert.Single(registry.Clients);
    }
}
