namespace VaCdsHooks.Trust.Tests;

/// <summary>The <c>reason</c> codes are a contract with EHR integrators: they must not drift with renames.</summary>
public sealed class EhrTokenRejectionCodeTests
{
    [Theory]
    [InlineData(EhrTokenRejection.MissingToken, "missing_token")]
    [InlineData(EhrTokenRejection.MalformedToken, "malformed_token")]
    [InlineData(EhrTokenRejection.UnsupportedAlgorithm, "unsupported_algorithm")]
    [InlineData(EhrTokenRejection.UnsupportedCriticalHeader, "unsupported_critical_header")]
    [InlineData(EhrTokenRejection.UnknownIssuer, "unknown_issuer")]
    [InlineData(EhrTokenRejection.JkuNotAllowed, "jku_not_allowed")]
    [InlineData(EhrTokenRejection.UnknownSigningKey, "unknown_signing_key")]
    [InlineData(EhrTokenRejection.SigningKeysUnavailable, "signing_keys_unavailable")]
    [InlineData(EhrTokenRejection.InvalidSignature, "invalid_signature")]
    [InlineData(EhrTokenRejection.Expired, "expired")]
    [InlineData(EhrTokenRejection.NotYetValid, "not_yet_valid")]
    [InlineData(EhrTokenRejection.LifetimeNotAcceptable, "lifetime_not_acceptable")]
    [InlineData(EhrTokenRejection.MissingJti, "missing_jti")]
    [InlineData(EhrTokenRejection.WrongAudience, "wrong_audience")]
    [InlineData(EhrTokenRejection.TenantMismatch, "tenant_mismatch")]
    [InlineData(EhrTokenRejection.Replayed, "replayed")]
    [InlineData(EhrTokenRejection.ReplayCheckUnavailable, "replay_check_unavailable")]
    [InlineData(EhrTokenRejection.InvalidToken, "invalid_token")]
    public void Each_rejection_has_its_documented_code(EhrTokenRejection rejection, string code) =>
        Assert.Equal(code, EhrTokenRejections.Code(rejection));
}
