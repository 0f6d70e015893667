namespace VaCdsHooks.Trust;

/// <summary>
/// The <c>BackendServices</c> configuration section: how DTR access tokens are signed and how long they live. Which
/// clients may ask for one, and with which keys, comes from <c>CdsHooks:Clients</c>.
/// </summary>
public sealed class SmartBackendOptions
{
    /// <summary>Lifetime of issued access tokens (<c>expires_in</c>). SMART: SHOULD NOT exceed five minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The private key that signs access tokens, inline: a JWK (EC P-256/P-384/P-521 or RSA of 2048 bits or more,
    /// with its private part) or an unencrypted PEM private key. At most one of this and <see cref="SigningKeyPath"/>.
    /// When neither is set a P-256 key is generated at start: tokens then die with the process and are not accepted
    /// by other instances.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>A file holding the signing key as a JWK or PEM; relative paths are under the content root.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The <c>kid</c> put on access tokens; defaults to the JWK's own <c>kid</c>, else its RFC 7638 thumbprint.</summary>
    public string? SigningKeyId { get; set; }
}
