namespace VaCdsHooks.Trust;

/// <summary>A registered EHR client, as matched to the caller's verified token.</summary>
public sealed class EhrClientRegistration
{
    private readonly FhirBaseUrl[] _fhirServers;

    /// <summary>Creates a registration; <paramref name="clientId"/> defaults to the issuer.</summary>
    public EhrClientRegistration(string issuer, string? clientId = null, string? tenant = null, IEnumerable<Uri>? fhirServers = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(issuer);
        Issuer = issuer;
        ClientId = string.IsNullOrWhiteSpace(clientId) ? issuer : clientId;
        Tenant = string.IsNullOrWhiteSpace(tenant) ? null : tenant;
        FhirServers = (fhirServers ?? []).ToArray();
        _fhirServers = FhirServers
            .Select(uri => FhirBaseUrl.TryCreate(uri, out var normalized)
                ? normalized
                : throw new ArgumentException($"'{uri}' is not an absolute http(s) FHIR base URL.", nameof(fhirServers)))
            .ToArray();
    }

    /// <summary>The token issuer (<c>iss</c>) this client signs with.</summary>
    public string Issuer { get; }

    /// <summary>The client id for SMART interactions; the issuer unless configured.</summary>
    public string ClientId { get; }

    /// <summary>The tenant this registration is bound to, if any.</summary>
    public string? Tenant { get; }

    /// <summary>The FHIR base URLs this client's <c>fhirServer</c> may name.</summary>
    public IReadOnlyList<Uri> FhirServers { get; }

    /// <summary>
    /// Whether <paramref name="fhirServer"/> is one of this client's FHIR base URLs: same scheme, host and port and
    /// the same path, ignoring one trailing slash. Host names are matched whole, so
    /// <c>https://ehr.example.com.evil.com</c> does not match <c>https://ehr.example.com</c>; paths with dot segments,
    /// user info, a query or a fragment never match.
    /// </summary>
    public bool AllowsFhirServer(Uri fhirServer)
    {
        ArgumentNullException.ThrowIfNull(fhirServer);
        if (!FhirBaseUrl.TryCreate(fhirServer, out var candidate))
        {
            return false;
        }

        foreach (var allowed in _fhirServers)
        {
            if (allowed.Equals(candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Issuer;

    /// <summary>Whether <paramref name="fhirServer"/> can be registered as a FHIR base URL at all.</summary>
    internal static bool IsAcceptableFhirBase(Uri fhirServer) => FhirBaseUrl.TryCreate(fhirServer, out _);

    /// <summary>A FHIR base URL reduced to the parts that decide where requests go.</summary>
    private readonly record struct FhirBaseUrl(string Scheme, string Host, int Port, string Path)
    {
        public bool Equals(FhirBaseUrl other) =>
            string.Equals(Scheme, other.Scheme, StringComparison.Ordinal)
            && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)
            && Port == other.Port
            && string.Equals(Path, other.Path, StringComparison.Ordinal);

        public override int GetHashCode() =>
            HashCode.Combine(Scheme, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port, Path);

        public static bool TryCreate(Uri uri, out FhirBaseUrl normalized)
        {
            normalized = default;
            if (!uri.IsAbsoluteUri
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.UserInfo.Length > 0
                || uri.Query.Length > 0
                || uri.Fragment.Length > 0
                || HasDotSegmentOrBackslash(uri.OriginalString))
            {
                return false;
            }

            var path = uri.AbsolutePath;
            if (path.EndsWith('/'))
            {
                path = path[..^1];
            }

            normalized = new FhirBaseUrl(uri.Scheme, uri.IdnHost, uri.Port, path);
            return true;
        }

        // Uri would resolve "/fhir/../other" to "/other"; a base URL that needs resolving is refused outright rather
        // than trusted to resolve the same way wherever it is later used.
        private static bool HasDotSegmentOrBackslash(string url)
        {
            if (url.Contains('\\') || url.Contains("%2e", StringComparison.OrdinalIgnoreCase) || url.Contains("%5c", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var pathStart = url.IndexOf("://", StringComparison.Ordinal);
            var path = pathStart < 0 ? url : url[(pathStart + 3)..];
            foreach (var segment in path.Split('/', '?', '#'))
            {
                if (segment is "." or "..")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
