using System.Collections.Frozen;
using System.Text;

namespace VaCdsHooks.Trust;

/// <summary>The <c>system/</c> scopes a DTR client can be granted, as advertised in <c>scopes_supported</c>.</summary>
public static class SmartBackendScopes
{
    /// <summary>Read and search the DTR Questionnaires.</summary>
    public const string ReadQuestionnaires = "system/Questionnaire.rs";

    /// <summary>Read and search the ValueSets the Questionnaires use.</summary>
    public const string ReadValueSets = "system/ValueSet.rs";

    /// <summary>Read and search the CQL Libraries the Questionnaires use.</summary>
    public const string ReadLibraries = "system/Library.rs";

    /// <summary>Submit (create) and amend (update) QuestionnaireResponses.</summary>
    public const string WriteQuestionnaireResponses = "system/QuestionnaireResponse.cu";

    /// <summary>Read and search the prior-authorization status of cases (ClaimResponse): a scope of its own.</summary>
    public const string ReadClaimResponses = "system/ClaimResponse.rs";

    /// <summary>Every scope a client may be granted; a request gets the intersection with these.</summary>
    public static IReadOnlyList<string> Supported { get; } =
        [ReadQuestionnaires, ReadValueSets, ReadLibraries, WriteQuestionnaireResponses, ReadClaimResponses];
}

/// <summary>The SMART v2 interactions a scope permits (<c>.cruds</c>).</summary>
[Flags]
internal enum SmartPermissions
{
    None = 0,
    Create = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    Search = 16,
    All = Create | Read | Update | Delete | Search,
}

/// <summary>One parsed <c>system/</c> clinical scope.</summary>
internal readonly record struct SmartScope(string ResourceType, SmartPermissions Permissions, bool IsV1)
{
    public const string Wildcard = "*";

    private const string SystemPrefix = "system/";
    private const string PermissionLetters = "cruds";

    /// <summary>
    /// Parses <c>system/{Type|*}.{perms}</c>, where perms is an in-order subset of <c>cruds</c> (v2) or
    /// <c>read</c>, <c>write</c>, <c>*</c> (v1, mapped as SMART says: rs, cud, cruds). Anything else, including
    /// v2 scopes narrowed by <c>?param=value</c>, which this server cannot enforce, is not a scope it grants.
    /// </summary>
    public static bool TryParse(string text, out SmartScope scope)
    {
        scope = default;
        if (!text.StartsWith(SystemPrefix, StringComparison.Ordinal) || text.Contains('?'))
        {
            return false;
        }

        var body = text.AsSpan(SystemPrefix.Length);
        var dot = body.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var resourceType = body[..dot];
        if (!(resourceType is Wildcard || IsResourceTypeName(resourceType)))
        {
            return false;
        }

        var suffix = body[(dot + 1)..];
        var (permissions, isV1) = suffix switch
        {
            "read" => (SmartPermissions.Read | SmartPermissions.Search, true),
            "write" => (SmartPermissions.Create | SmartPermissions.Update | SmartPermissions.Delete, true),
            "*" => (SmartPermissions.All, true),
            _ => (ParseV2(suffix), false),
        };
        if (permissions == SmartPermissions.None)
        {
            return false;
        }

        scope = new SmartScope(resourceType.ToString(), permissions, isV1);
        return true;
    }

    /// <summary>Parses a permission string such as <c>rs</c> or <c>cu</c>; None when it is not an in-order subset of <c>cruds</c>.</summary>
    public static SmartPermissions ParseV2(ReadOnlySpan<char> letters)
    {
        var result = SmartPermissions.None;
        var next = 0;
        foreach (var letter in letters)
        {
            var index = PermissionLetters.IndexOf(letter, next);
            if (index < 0)
            {
                // Out of order, repeated or unknown ("dus", "rr", "x"): SMART lets servers ignore such requests.
                return SmartPermissions.None;
            }

            result |= (SmartPermissions)(1 << index);
            next = index + 1;
        }

        return result;
    }

    public static string FormatV2(SmartPermissions permissions)
    {
        var builder = new StringBuilder(PermissionLetters.Length);
        for (var index = 0; index < PermissionLetters.Length; index++)
        {
            if (permissions.HasFlag((SmartPermissions)(1 << index)))
            {
                builder.Append(PermissionLetters[index]);
            }
        }

        return builder.ToString();
    }

    /// <summary>The v1 suffix that means exactly <paramref name="permissions"/>, if there is one.</summary>
    public static string? FormatV1(SmartPermissions permissions) => permissions switch
    {
        SmartPermissions.Read | SmartPermissions.Search => "read",
        SmartPermissions.Create | SmartPermissions.Update | SmartPermissions.Delete => "write",
        SmartPermissions.All => "*",
        _ => null,
    };

    private static bool IsResourceTypeName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return name.Length > 0;
    }
}

/// <summary>
/// What each resource type may be granted, and the grant for a requested <c>scope</c> string: the intersection of
/// requested and allowed interactions, per resource type, with resource types matched case-insensitively.
/// </summary>
internal sealed class SmartScopeGrants
{
    private readonly FrozenDictionary<string, SmartPermissions> _allowed;
    private readonly string[] _order;

    public SmartScopeGrants(IEnumerable<string> allowedScopes)
    {
        var allowed = new Dictionary<string, SmartPermissions>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var text in allowedScopes)
        {
            if (!SmartScope.TryParse(text, out var scope) || scope.ResourceType == SmartScope.Wildcard)
            {
                throw new ArgumentException($"'{text}' is not a system scope for one resource type.", nameof(allowedScopes));
            }

            if (!allowed.TryGetValue(scope.ResourceType, out var existing))
            {
                order.Add(scope.ResourceType);
            }

            allowed[scope.ResourceType] = existing | scope.Permissions;
        }

        _allowed = allowed.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _order = [.. order];
    }

    public static SmartScopeGrants Default { get; } = new(SmartBackendScopes.Supported);

    /// <summary>
    /// The granted scope string for <paramref name="requested"/>, or an empty string when nothing is granted. Grants
    /// are written in v2 form; a client that asked only in v1 form gets v1 form back where v1 can say exactly what
    /// was granted (SMART: servers SHOULD return v1 scopes when v1 scopes are requested and granted).
    /// </summary>
    public string Grant(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return string.Empty;
        }

        var granted = new Dictionary<string, SmartPermissions>(StringComparer.OrdinalIgnoreCase);
        var onlyV1 = true;
        foreach (var text in requested.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!SmartScope.TryParse(text, out var scope))
            {
                continue;
            }

            onlyV1 &= scope.IsV1;
            if (scope.ResourceType == SmartScope.Wildcard)
            {
                foreach (var (type, allowed) in _allowed)
                {
                    Add(granted, type, scope.Permissions & allowed);
                }
            }
            else if (_allowed.TryGetValue(scope.ResourceType, out var allowed))
            {
                Add(granted, scope.ResourceType, scope.Permissions & allowed);
            }
        }

        var parts = new List<string>(granted.Count);
        foreach (var type in _order)
        {
            if (granted.TryGetValue(type, out var permissions) && permissions != SmartPermissions.None)
            {
                var suffix = (onlyV1 ? SmartScope.FormatV1(permissions) : null) ?? SmartScope.FormatV2(permissions);
                parts.Add($"system/{type}.{suffix}");
            }
        }

        return string.Join(' ', parts);
    }

    /// <summary>The interactions a granted scope string (as carried in an access token) permits on <paramref name="resourceType"/>.</summary>
    public static SmartPermissions PermissionsFor(string? grantedScopes, string resourceType)
    {
        var result = SmartPermissions.None;
        if (string.IsNullOrEmpty(grantedScopes))
        {
            return result;
        }

        foreach (var text in grantedScopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (SmartScope.TryParse(text, out var scope)
                && (scope.ResourceType == SmartScope.Wildcard || string.Equals(scope.ResourceType, resourceType, StringComparison.OrdinalIgnoreCase)))
            {
                result |= scope.Permissions;
            }
        }

        return result;
    }

    private static void Add(Dictionary<string, SmartPermissions> granted, string type, SmartPermissions permissions)
    {
        if (permissions != SmartPermissions.None)
        {
            granted[type] = granted.GetValueOrDefault(type) | permissions;
        }
    }
}
