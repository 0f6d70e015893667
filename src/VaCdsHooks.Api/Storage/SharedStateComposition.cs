using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Storage;

/// <summary>
/// What several instances behind a load balancer must share, kept in the database they already share: the
/// data-protection key ring (staff cookies, antiforgery tokens) and, unless one is configured, the DTR access-token
/// signing key. The replay cache, staff sessions and lockout counters are stores of their own.
/// </summary>
public static class SharedStateComposition
{
    /// <summary>The data-protection application name: the same on every instance, so each reads the others' cookies.</summary>
    public const string DataProtectionApplicationName = "VaCdsHooks";

    public static IServiceCollection AddSharedInstanceState(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(DataProtectionApplicationName)
            .PersistKeysToVaCdsHooksStorage();
        services.AddSingleton<IPostConfigureOptions<SmartBackendOptions>, StoredAccessTokenSigningKey>();
        return services;
    }
}
