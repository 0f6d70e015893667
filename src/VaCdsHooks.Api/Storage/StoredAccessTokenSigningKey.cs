using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Storage;

/// <summary>
/// When <c>BackendServices:SigningKey</c> and <c>:SigningKeyPath</c> are both unset, Trust would generate a key per
/// process, and an access token issued by one instance would be refused by the next. Instead one P-256 key is made
/// once, stored in the shared database protected by the data-protection key ring, and handed to Trust as if it
/// were configured; every instance (and every restart) signs and verifies with it.
/// </summary>
internal sealed partial class StoredAccessTokenSigningKey(
    IServiceKeyStore keys,
    IDataProtectionProvider protection,
    TimeProvider time,
    ILogger<StoredAccessTokenSigningKey> logger) : IPostConfigureOptions<SmartBackendOptions>
{
    public const string KeyName = "dtr-access-token-signing-key";

    private const string ProtectionPurpose = "VaCdsHooks.DtrAccessTokenSigningKey.v1";

    public void PostConfigure(string? name, SmartBackendOptions options)
    {
        if (name != Options.DefaultName || !string.IsNullOrWhiteSpace(options.SigningKey) || !string.IsNullOrWhiteSpace(options.SigningKeyPath))
        {
            return;
        }

        // Options are built synchronously, once, at start-up validation (after the migrations have run).
        options.SigningKey = LoadOrCreateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private async Task<string> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        var protector = protection.CreateProtector(ProtectionPurpose);
        var stored = await keys.FindAsync(KeyName, cancellationToken);
        if (stored is null)
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var mine = protector.Protect(created.ExportPkcs8PrivateKeyPem());

            // Insert-if-absent: of instances starting together, all take the key the first one stored.
            stored = await keys.GetOrAddAsync(KeyName, mine, time.GetUtcNow(), cancellationToken);
            if (stored == mine)
            {
                LogCreated(logger);
            }
        }

        try
        {
            return protector.Unprotect(stored);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"The stored DTR access-token key ({KeyName}) cannot be unprotected: the data-protection keys in the database are not the ones it was "
                + "protected with. Configure BackendServices:SigningKey or :SigningKeyPath, or delete the service_keys row to have a new key made.",
                ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DTR access tokens: no signing key configured; a shared key was made and stored in the database for every instance")]
    private static partial void LogCreated(ILogger logger);
}
