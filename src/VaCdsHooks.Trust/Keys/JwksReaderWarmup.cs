using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>
/// Reads one JWK Set while the host starts. The first read runs a lot of library code for the first time (about
/// 0.15 s on an idle core, seconds on a busy one), which would otherwise be spent inside the first hook call's key
/// fetch deadline.
/// </summary>
internal sealed class JwksReaderWarmup : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        VerificationKey.ReadJwks($$"""
            {"keys":[{"kty":"EC","crv":"P-384","kid":"warm-up","x":"{{Base64UrlEncoder.Encode(point.X)}}","y":"{{Base64UrlEncoder.Encode(point.Y)}}"}]}
            """);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
