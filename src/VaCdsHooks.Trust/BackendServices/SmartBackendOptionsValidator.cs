using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Trust;

/// <summary>
/// Start-up validation of <see cref="SmartBackendOptions"/>: an unreadable signing key or an overlong token lifetime
/// should stop the host with a message naming the setting, not surface as failed logins later.
/// </summary>
internal sealed class SmartBackendOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<SmartBackendOptions>
{
    private const string Section = SmartBackendDefaults.ConfigurationSection;

    // SMART Backend Services: access tokens SHALL be short-lived; expires_in SHOULD NOT exceed 300.
    private static readonly TimeSpan MaximumLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(30);

    public ValidateOptionsResult Validate(string? name, SmartBackendOptions options)
    {
        var failures = new List<string>();
        if (options.AccessTokenLifetime < MinimumLifetime || options.AccessTokenLifetime > MaximumLifetime)
        {
            failures.Add($"{Section}:AccessTokenLifetime must be between {MinimumLifetime} and {MaximumLifetime} (SMART Backend Services: expires_in SHOULD NOT exceed 300 seconds).");
        }

        if (!string.IsNullOrWhiteSpace(options.SigningKey) && !string.IsNullOrWhiteSpace(options.SigningKeyPath))
        {
            failures.Add($"{Section} takes at most one signing key source: SigningKey or SigningKeyPath.");
        }
        else if (ReadKeyText(options, environment, out var source, out var problem) is { } text)
        {
            if (AccessTokenSigningKey.TryRead(text, options.SigningKeyId, out problem) is null)
            {
                failures.Add($"{Section}:{source} {problem}; expected a private EC (P-256, P-384, P-521) or RSA (2048 bits or more) key as a JWK or unencrypted PEM.");
            }
        }
        else if (problem is not null)
        {
            failures.Add($"{Section}:{source} {problem}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// The configured key text, or null when none is configured (<paramref name="problem"/> null) or the file cannot
    /// be read (<paramref name="problem"/> set).
    /// </summary>
    internal static string? ReadKeyText(SmartBackendOptions options, IHostEnvironment? environment, out string source, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            source = nameof(SmartBackendOptions.SigningKey);
            return options.SigningKey;
        }

        source = nameof(SmartBackendOptions.SigningKeyPath);
        if (string.IsNullOrWhiteSpace(options.SigningKeyPath))
        {
            return null;
        }

        var path = Path.GetFullPath(options.SigningKeyPath, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"'{path}' cannot be read ({ex.GetType().Name})";
            return null;
        }
    }
}
