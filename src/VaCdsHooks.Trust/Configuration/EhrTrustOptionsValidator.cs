using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Trust;

/// <summary>
/// Start-up validation of <see cref="EhrTrustOptions"/>: a mistake here would either lock every EHR out or let the
/// wrong one in, so the host refuses to start instead. Plain http is accepted only for loopback addresses or in the
/// Development environment, because keys or audiences served over http can be substituted in transit.
/// </summary>
internal sealed class EhrTrustOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<EhrTrustOptions>
{
    private readonly bool _isDevelopment = environment?.IsDevelopment() ?? false;

    public ValidateOptionsResult Validate(string? name, EhrTrustOptions options)
    {
        var failures = new List<string>();
        const string Section = EhrJwtDefaults.ConfigurationSection;

        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            failures.Add($"{Section}:PublicBaseUrl is required (the externally visible base URL that precedes /cds-services).");
        }
        else
        {
            CheckSecureUrl(options.PublicBaseUrl, $"{Section}:PublicBaseUrl", failures);
        }

        CheckRange(options.MaxTokenLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), $"{Section}:MaxTokenLifetime", failures);
        CheckRange(options.ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5), $"{Section}:ClockSkew", failures);
        CheckRange(options.JwksMinimumRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), $"{Section}:JwksMinimumRefreshInterval", failures);
        CheckRange(options.JwksRefreshInterval, options.JwksMinimumRefreshInterval, TimeSpan.FromDays(1), $"{Section}:JwksRefreshInterval", failures);
        CheckRange(options.JwksFetchTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), $"{Section}:JwksFetchTimeout", failures);
        if (options.ReplayCacheCapacity < 1_000)
        {
            failures.Add($"{Section}:ReplayCacheCapacity must be at least 1000.");
        }

        if (options.Clients.Count == 0)
        {
            failures.Add($"{Section}:Clients must register at least one EHR; without one every call is refused.");
        }

        var issuers = new HashSet<string>(StringComparer.Ordinal);
        var clientIds = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < options.Clients.Count; index++)
        {
            CheckClient(options.Clients[index], $"{Section}:Clients:{index}", issuers, clientIds, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void CheckClient(EhrClientOptions client, string path, HashSet<string> issuers, HashSet<string> clientIds, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(client.Issuer))
        {
            failures.Add($"{path}:Issuer is required.");
        }
        else if (!issuers.Add(client.Issuer))
        {
            failures.Add($"{path}:Issuer '{client.Issuer}' is registered more than once.");
        }

        // The client id names the client at the DTR token endpoint; two clients under one id would share a login.
        var clientId = string.IsNullOrWhiteSpace(client.ClientId) ? client.Issuer : client.ClientId;
        if (!string.IsNullOrWhiteSpace(clientId) && !clientIds.Add(clientId))
        {
            failures.Add($"{path}:ClientId '{clientId}' is already the client id of another client (ClientId defaults to the Issuer).");
        }

        var hasUrl = !string.IsNullOrWhiteSpace(client.JwksUrl);
        var hasInline = !string.IsNullOrWhiteSpace(client.Jwks);
        if (hasUrl == hasInline)
        {
            failures.Add($"{path} needs exactly one key source: JwksUrl or Jwks.");
        }
        else if (hasUrl)
        {
            CheckSecureUrl(client.JwksUrl!, $"{path}:JwksUrl", failures);
        }
        else
        {
            CheckInlineJwks(client.Jwks!, $"{path}:Jwks", failures);
        }

        for (var index = 0; index < client.AllowedJku.Count; index++)
        {
            CheckSecureUrl(client.AllowedJku[index], $"{path}:AllowedJku:{index}", failures);
        }

        for (var index = 0; index < client.FhirServers.Count; index++)
        {
            var server = client.FhirServers[index];
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || !EhrClientRegistration.IsAcceptableFhirBase(uri))
            {
                failures.Add($"{path}:FhirServers:{index} must be an absolute http(s) base URL without user info, query, fragment or dot segments.");
            }
        }
    }

    private void CheckSecureUrl(string value, string path, List<string> failures)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            failures.Add($"{path} must be an absolute https URL without user info, query or fragment.");
            return;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !_isDevelopment)
        {
            failures.Add($"{path} must use https (http is accepted only for loopback addresses or in Development).");
        }
    }

    private static void CheckInlineJwks(string json, string path, List<string> failures)
    {
        try
        {
            if (VerificationKey.ReadJwks(json).Count == 0)
            {
                failures.Add($"{path} holds no usable signature key (RSA of 2048 bits or more, or EC P-256/P-384/P-521, each with a kid).");
            }
        }
        catch (ArgumentException)
        {
            failures.Add($"{path} is not a JSON Web Key Set.");
        }
    }

    private static void CheckRange(TimeSpan value, TimeSpan minimum, TimeSpan maximum, string path, List<string> failures)
    {
        if (value < minimum || value > maximum)
        {
            failures.Add($"{path} must be between {minimum} and {maximum}.");
        }
    }
}
