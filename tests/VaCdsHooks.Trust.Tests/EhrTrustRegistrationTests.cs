using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace VaCdsHooks.Trust.Tests;

/// <summary><c>AddEhrTrust</c> may be reached more than once (directly and through <c>AddSmartBackendServices</c>).</summary>
public sealed class EhrTrustRegistrationTests
{
    [Fact]
    public async Task Adding_ehr_trust_twice_registers_the_scheme_once()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CdsHooks:PublicBaseUrl"] = "https://cds.example.org",
            ["CdsHooks:Clients:0:Issuer"] = "https://ehr.example.com",
            ["CdsHooks:Clients:0:JwksUrl"] = "https://ehr.example.com/jwks",
        }).Build();
        var services = new ServiceCollection().AddLogging();

        services.AddEhrTrust(configuration);
        var second = services.AddEhrTrust(configuration);
        await using var provider = services.BuildServiceProvider();

        var schemes = await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetAllSchemesAsync();
        Assert.Equal([EhrJwtDefaults.AuthenticationScheme], schemes.Select(s => s.Name));
        Assert.Same(services, second.Services);
        Assert.Single(services, d => d.ServiceType == typeof(EhrJwtTokenHandler));
    }
}
