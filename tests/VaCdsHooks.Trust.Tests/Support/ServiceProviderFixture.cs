using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace VaCdsHooks.Trust.Tests.Support;

/// <summary>
/// <c>AddEhrTrust</c> on a plain service collection, for checking configuration binding and validation without a
/// server. Settings are relative to the <c>CdsHooks</c> section; <c>PublicBaseUrl</c> is filled in unless given.
/// </summary>
internal sealed class ServiceProviderFixture : IDisposable
{
    private readonly ServiceProvider _provider;

    public ServiceProviderFixture(IDictionary<string, string?> settings, string environment = "Production", Action<IConfigurationBuilder>? addSources = null)
    {
        var all = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        all.TryAdd("PublicBaseUrl", "https://cds.example.org");
        var builder = new ConfigurationBuilder().AddInMemoryCollection(all
            .Where(pair => pair.Value is not null)
            .Select(pair => new KeyValuePair<string, string?>($"{EhrJwtDefaults.ConfigurationSection}:{pair.Key}", pair.Value)));
        addSources?.Invoke(builder);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment, ApplicationName = "tests" });
        services.AddEhrTrust(builder.Build());
        _provider = services.BuildServiceProvider();
    }

    public T GetRequired<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public void Dispose() => _provider.Dispose();
}
