using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace VaCdsHooks.Trust;

/// <summary>
/// <c>POST /auth/token</c>: the SMART Backend Services token request (client_credentials grant, private_key_jwt
/// client authentication). Answers RFC 6749 section 5.1 / 5.2 JSON with <c>Cache-Control: no-store</c>.
/// </summary>
internal sealed class SmartTokenEndpoint(
    ClientAssertionValidator assertions,
    AccessTokenIssuer issuer,
    ILogger<SmartTokenEndpoint> logger)
{
    private const string FormContentType = "application/x-www-form-urlencoded";

    public async Task HandleAsync(HttpContext context)
    {
        var (form, readRefusal) = await ReadFormAsync(context.Request);
        if (readRefusal is { } refusal)
        {
            await RefuseAsync(context, refusal, null, null);
            return;
        }

        if (RequestRefusal(context.Request, form!) is { } requestRefusal)
        {
            await RefuseAsync(context, requestRefusal, null, null);
            return;
        }

        var authentication = await assertions.AuthenticateAsync(form!["client_assertion"].ToString(), Single(form!, "client_id"), context.RequestAborted);
        if (authentication.Refusal is { } clientRefusal)
        {
            await RefuseAsync(context, clientRefusal, authentication.ClaimedClientId, authentication.AssertionJti);
            return;
        }

        var client = authentication.Client!.Registration;
        var granted = SmartScopeGrants.Default.Grant(Single(form!, "scope"));
        if (granted.Length == 0)
        {
            await RefuseAsync(context, TokenRequestRefusal.NoScopeGranted, client.ClientId, authentication.AssertionJti);
            return;
        }

        var token = issuer.Issue(client, granted);
        SmartBackendLog.TokenIssued(logger, client.ClientId, granted, token.ExpiresIn, token.Jti, EhrTrustLog.Clean(authentication.AssertionJti));
        await WriteJsonAsync(context.Response, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("access_token", token.Token);
            // SMART Backend Services: fixed value "bearer".
            writer.WriteString("token_type", "bearer");
            writer.WriteNumber("expires_in", token.ExpiresIn);
            writer.WriteString("scope", granted);
        });
    }

    /// <summary>Checks that need no client: shape of the request, grant type, authentication method, assertion type.</summary>
    private static TokenRequestRefusal? RequestRefusal(HttpRequest request, Dictionary<string, StringValues> form)
    {
        foreach (var values in form.Values)
        {
            if (values.Count > 1)
            {
                // RFC 6749 section 3.2: parameters MUST NOT be included more than once.
                return TokenRequestRefusal.RepeatedParameter;
            }
        }

        var grantType = Single(form, "grant_type");
        if (string.IsNullOrEmpty(grantType))
        {
            return TokenRequestRefusal.MissingGrantType;
        }

        if (!string.Equals(grantType, SmartBackendDefaults.GrantType, StringComparison.Ordinal))
        {
            return TokenRequestRefusal.UnsupportedGrantType;
        }

        // RFC 6749 section 5.2: a client that tried the Authorization header MUST get a 401 invalid_client.
        if (request.Headers.Authorization.Count > 0)
        {
            return TokenRequestRefusal.AuthorizationHeaderUsed;
        }

        if (form.ContainsKey("client_secret"))
        {
            return TokenRequestRefusal.MultipleClientAuthentication;
        }

        var assertionType = Single(form, "client_assertion_type");
        if (string.IsNullOrEmpty(assertionType))
        {
            return TokenRequestRefusal.MissingAssertionType;
        }

        if (!string.Equals(assertionType, SmartBackendDefaults.ClientAssertionType, StringComparison.Ordinal))
        {
            return TokenRequestRefusal.UnsupportedAssertionType;
        }

        if (string.IsNullOrEmpty(Single(form, "client_assertion")))
        {
            return TokenRequestRefusal.MissingAssertion;
        }

        return null;
    }

    /// <summary>Reads at most <see cref="SmartBackendDefaults.MaxTokenRequestBytes"/> of form body, whatever the server's own limit.</summary>
    private static async Task<(Dictionary<string, StringValues>? Form, TokenRequestRefusal? Refusal)> ReadFormAsync(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(FormContentType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, TokenRequestRefusal.NotFormEncoded);
        }

        const int Limit = SmartBackendDefaults.MaxTokenRequestBytes;
        if (request.ContentLength > Limit)
        {
            return (null, TokenRequestRefusal.BodyTooLarge);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Limit + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= Limit && (read = await request.Body.ReadAsync(buffer.AsMemory(length, Limit + 1 - length), request.HttpContext.RequestAborted)) > 0)
            {
                length += read;
            }

            if (length > Limit)
            {
                return (null, TokenRequestRefusal.BodyTooLarge);
            }

            using var reader = new FormReader(Encoding.UTF8.GetString(buffer, 0, length))
            {
                ValueCountLimit = 64,
                KeyLengthLimit = 64,
                ValueLengthLimit = Limit,
            };
            return (reader.ReadForm(), null);
        }
        catch (InvalidDataException)
        {
            // FormReader's own limits (too many or too long fields).
            return (null, TokenRequestRefusal.BodyTooLarge);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RefuseAsync(HttpContext context, TokenRequestRefusal refusal, string? clientId, string? jti)
    {
        SmartBackendLog.TokenRequestRefused(logger, refusal, clientId, jti);
        var response = context.Response;
        if (refusal == TokenRequestRefusal.AuthorizationHeaderUsed)
        {
            // Must match the scheme the client used (RFC 6749 section 5.2); the scheme name is echoed, nothing else.
            var scheme = context.Request.Headers.Authorization.ToString().Split(' ', 2)[0];
            response.Headers.WWWAuthenticate = IsToken(scheme) ? scheme : "Basic";
        }

        await WriteJsonAsync(response, TokenRequestRefusals.Status(refusal), writer =>
        {
            writer.WriteString("error", TokenRequestRefusals.Error(refusal));
            writer.WriteString("error_description", TokenRequestRefusals.Describe(refusal));
        });
    }

    private static async Task WriteJsonAsync(HttpResponse response, int statusCode, Action<Utf8JsonWriter> writeMembers)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        // RFC 6749 sections 5.1 and 5.2: token responses must not be cached.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), response.HttpContext.RequestAborted);
    }

    private static string? Single(Dictionary<string, StringValues> form, string name) =>
        form.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    private static bool IsToken(string value)
    {
        if (value.Length is 0 or > 32)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
