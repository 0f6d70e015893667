using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage;

public static class DataProtectionStorageExtensions
{
    /// <summary>
    /// Keeps the data-protection key ring in the VaCdsHooks database (table <c>data_protection_keys</c>), so every
    /// instance protects and unprotects with the same keys. Needs <c>AddVaCdsHooksStorage</c> and its migrations.
    /// </summary>
    public static IDataProtectionBuilder PersistKeysToVaCdsHooksStorage(this IDataProtectionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The key repository asks a scope for one context type; this gives it the configured provider's pooled context.
        builder.Services.TryAddScoped(services => services.GetRequiredService<VaCdsHooksDbContextFactory>().CreateDbContext());
        return builder.PersistKeysToDbContext<VaCdsHooksDbContext>();
    }
}
