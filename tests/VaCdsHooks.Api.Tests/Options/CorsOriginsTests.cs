using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.OptionsValidation;

/// <summary>
/// Configured CORS origins replace the default (any origin); they never sit beside it. Configuration merges arrays
/// from its sources index by index, so the default must not be a configured "*".
/// </summary>
public sealed class CorsOriginsTests
{
    private const string Ehr = "https://ehr.example";
    private const string Stranger = "https://stranger.example";

    [Fact]
    public async Task With_no_origins_configured_any_origin_may_call()
    {
        using var factory = new ApiFactory();

        Assert.Equal("*", await AllowedOriginAsync(factory, Stranger));
    }

    [Fact]
    public async Task An_origin_configured_over_a_wildcard_in_a_settings_file_replaces_it()
    {
        // appsettings.json with ["*"], then the environment's CdsServices__CorsOrigins__0.
        using var factory = new SettingsFileFactory("""{ "CdsServices": { "CorsOrigins": [ "*" ] } }""");
        factory.Settings["CdsServices:CorsOrigins:0"] = Ehr;

        Assert.Equal(Ehr, await AllowedOriginAsync(factory, Ehr));
        Assert.Null(await AllowedOriginAsync(factory, Stranger));
    }

    [Fact]
    public async Task Configured_origins_alone_are_allowed()
    {
        using var factory = new ApiFactory();
        factory.Settings["CdsServices:CorsOrigins:0"] = Ehr;
        factory.Settings["CdsServices:CorsOrigins:1"] = "https://second-ehr.example:8443";

        Assert.Equal(Ehr, await AllowedOriginAsync(factory, Ehr));
        Assert.Equal("https://second-ehr.example:8443", await AllowedOriginAsync(factory, "https://second-ehr.example:8443"));
        Assert.Null(await AllowedOriginAsync(factory, Stranger));
    }

    /// <summary>The Access-Control-Allow-Origin of a preflight for a hook call from <paramref name="origin"/>.</summary>
    private static async Task<string?> AllowedOriginAsync(ApiFactory factory, string origin)
    {
        using var client = factory.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/cds-services/vertebral-augmentation-order-sign");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var response = await client.SendAsync(preflight);
        Assert.True(response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK, response.StatusCode.ToString());
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    /// <summary>A settings file below the test's own settings, where appsettings.json sits below the environment.</summary>
    private sealed class SettingsFileFactory(string json) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureAppConfiguration((_, configuration) =>
                configuration.Sources.Insert(
                    configuration.Sources.Count - 1,
                    new JsonStreamConfigurationSource { Stream = new MemoryStream(Encoding.UTF8.GetBytes(json)) }));
        }
    }
}
