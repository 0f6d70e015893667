using Microsoft.AspNetCore.Http;

namespace VaCdsHooks.Trust;

/// <summary>Why a DTR token request was refused; each maps to an RFC 6749 section 5.2 error.</summary>
internal enum TokenRequestRefusal
{
    BodyTooLarge,
    NotFormEncoded,
    RepeatedParameter,
    MissingGrantType,
    UnsupportedGrantType,
    MultipleClientAuthentication,
    AuthorizationHeaderUsed,
    MissingAssertionType,
    UnsupportedAssertionType,
    MissingAssertion,
    MalformedAssertion,

    /// <summary>The assertion's header lists critical extensions (<c>crit</c>) we do not implement.</summary>
    UnsupportedCriticalHeader,
    UnsupportedAlgorithm,
    WrongAssertionType,
    MissingKeyId,
    UnknownClient,
    IssuerSubjectMismatch,
    ClientIdMismatch,
    WrongAudience,
    MissingExpiry,
    Expired,
    ExpiresTooLate,
    NotYetValid,
    MissingJti,
    JkuNotAllowed,
    UnknownSigningKey,
    SigningKeysUnavailable,
    InvalidSignature,
    Replayed,
    ReplayCheckUnavailable,
    NoScopeGranted,
}

internal static class TokenRequestRefusals
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";

    /// <summary>The RFC 6749 error code.</summary>
    public static string Error(TokenRequestRefusal refusal) => refusal switch
    {
        TokenRequestRefusal.BodyTooLarge
            or TokenRequestRefusal.NotFormEncoded
            or TokenRequestRefusal.RepeatedParameter
            or TokenRequestRefusal.MissingGrantType
            or TokenRequestRefusal.MultipleClientAuthentication => InvalidRequest,
        TokenRequestRefusal.UnsupportedGrantType => UnsupportedGrantType,
        TokenRequestRefusal.NoScopeGranted => InvalidScope,
        // SMART client-confidential-asymmetric: any error while authenticating the client is invalid_client.
        _ => InvalidClient,
    };

    /// <summary>
    /// The HTTP status. RFC 6749 section 5.2 answers 400 unless said otherwise; invalid_client MAY be 401 and MUST be
    /// when the client tried the Authorization header. A 401 must carry a WWW-Authenticate challenge (RFC 7235), and
    /// there is no HTTP authentication scheme for a private_key_jwt assertion to name, so an assertion that fails is a
    /// 400 and only a request that used the Authorization header gets the 401.
    /// </summary>
    public static int Status(TokenRequestRefusal refusal) => refusal switch
    {
        TokenRequestRefusal.BodyTooLarge => StatusCodes.Status413PayloadTooLarge,
        TokenRequestRefusal.AuthorizationHeaderUsed => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The <c>error_description</c>: names what to fix, never echoes request content or key material.</summary>
    public static string Describe(TokenRequestRefusal refusal) => refusal switch
    {
        TokenRequestRefusal.BodyTooLarge => $"The token request body exceeds {SmartBackendDefaults.MaxTokenRequestBytes} bytes.",
        TokenRequestRefusal.NotFormEncoded => "The token request must be a POST with Content-Type application/x-www-form-urlencoded.",
        TokenRequestRefusal.RepeatedParameter => "A token request parameter appears more than once.",
        TokenRequestRefusal.MissingGrantType => "grant_type is required.",
        TokenRequestRefusal.UnsupportedGrantType => "Only grant_type=client_credentials is supported.",
        TokenRequestRefusal.MultipleClientAuthentication => "Authenticate with client_assertion only; client_secret is not accepted.",
        TokenRequestRefusal.AuthorizationHeaderUsed => "HTTP authentication is not accepted at this endpoint; authenticate with a private_key_jwt client_assertion.",
        TokenRequestRefusal.MissingAssertionType => "client_assertion_type is required.",
        TokenRequestRefusal.UnsupportedAssertionType => $"client_assertion_type must be {SmartBackendDefaults.ClientAssertionType}.",
        TokenRequestRefusal.MissingAssertion => "client_assertion is required.",
        TokenRequestRefusal.MalformedAssertion => "client_assertion is not a well-formed signed JWT.",
        TokenRequestRefusal.UnsupportedCriticalHeader => "The client_assertion header lists critical extensions (crit) this server does not implement (RFC 7515 section 4.1.11).",
        TokenRequestRefusal.UnsupportedAlgorithm => "The client_assertion must be signed with RS384 or ES384.",
        TokenRequestRefusal.WrongAssertionType => "The client_assertion header must have typ JWT.",
        TokenRequestRefusal.MissingKeyId => "The client_assertion header must name its key (kid).",
        TokenRequestRefusal.UnknownClient => "The iss of the client_assertion is not a registered client id.",
        TokenRequestRefusal.IssuerSubjectMismatch => "The iss and sub of the client_assertion must both be the client id.",
        TokenRequestRefusal.ClientIdMismatch => "client_id does not match the iss of the client_assertion.",
        TokenRequestRefusal.WrongAudience => "The aud of the client_assertion must be the URL of this token endpoint.",
        TokenRequestRefusal.MissingExpiry => "The client_assertion must carry exp.",
        TokenRequestRefusal.Expired => "The client_assertion has expired.",
        TokenRequestRefusal.ExpiresTooLate => "The exp of the client_assertion must be no more than five minutes in the future.",
        TokenRequestRefusal.NotYetValid => "The iat or nbf of the client_assertion lies in the future.",
        TokenRequestRefusal.MissingJti => "The client_assertion must carry jti.",
        TokenRequestRefusal.JkuNotAllowed => "The jku of the client_assertion is not a JWK Set URL registered for the client.",
        TokenRequestRefusal.UnknownSigningKey => "The kid of the client_assertion names no key of the client usable with its alg.",
        TokenRequestRefusal.SigningKeysUnavailable => "The JWK Set of the client could not be retrieved.",
        TokenRequestRefusal.InvalidSignature => "The signature of the client_assertion is not valid.",
        TokenRequestRefusal.Replayed => "The jti of the client_assertion has already been used.",
        TokenRequestRefusal.ReplayCheckUnavailable => "The client_assertion could not be checked for replay; retry with a new assertion.",
        TokenRequestRefusal.NoScopeGranted => "None of the requested scopes can be granted; see scopes_supported in .well-known/smart-configuration.",
        _ => "The token request was refused.",
    };
}
