using System.Net;
using System.Net.Http.Headers;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.MultiInstance;

/// <summary>
/// With no signing key configured, the DTR access-token key is made once and kept in the database: a token issued by
/// one instance is accepted by another on the same database (SQLite here; PostgreSQL in <see cref="SharedStateTests"/>).
/// </summary>
public sealed class SharedAccessTokenKeyTests
{
    [Fact]
    public async Task An_access_token_issued_by_one_instance_is_accepted_by_another_on_the_same_database()
    {
        using var first = new ApiFactory();
        var token = await first.DtrAccessTokenAsync();
        using var second = first.CreateSibling();

        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        using var response = await client.GetAsync("/fhir/ClaimResponse?identifier=no-such-assertion");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync() + second.Errors.Text);
    }
}
