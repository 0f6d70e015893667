using System.Buffers.Text;
using System.Globalization;
using System.Text;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>The queue's keyset cursor as one opaque URL-safe token (it carries the sort it was made for).</summary>
public static class QueueCursor
{
    public static string Encode(PriorAuthCaseQueueCursor cursor, QueueSortOrder sort)
    {
        var text = string.Join('\n', sort == QueueSortOrder.Newest ? "n" : "o", cursor.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), cursor.CaseId);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    public static bool TryDecode(string token, QueueSortOrder sort, out PriorAuthCaseQueueCursor? cursor)
    {
        cursor = null;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('\n');
            if (parts.Length != 3 || parts[0] != (sort == QueueSortOrder.Newest ? "n" : "o")
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
                || parts[2].Length is 0 or > 200)
            {
                return false;
            }

            cursor = new PriorAuthCaseQueueCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[2]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>Reads queue filters from a query string (pages and API alike) and names each bad field.</summary>
public static class QueueFilterParser
{
    public const string AllStatuses = "all";

    public static QueueFilter Parse(
        string? status,
        string? indication,
        int? minAgeDays,
        int? maxAgeDays,
        string? sort,
        string? cursor,
        int? pageSize,
        int defaultPageSize,
        Dictionary<string, string[]> errors)
    {
        var statuses = new List<PriorAuthCaseStatus>();
        if (string.IsNullOrWhiteSpace(status))
        {
            statuses.Add(PriorAuthCaseStatus.PendingReview);
        }
        else if (status != AllStatuses)
        {
            foreach (var code in status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (PriorAuthCaseStatusCodes.TryParse(code, out var parsed))
                {
                    statuses.Add(parsed);
                }
                else
                {
                    errors["status"] = [$"'status' must be '{AllStatuses}' or a comma-separated list of {string.Join(", ", Enum.GetValues<PriorAuthCaseStatus>().Select(s => s.ToCode()))}; got '{code}'."];
                }
            }
        }

        var order = QueueSortOrder.Oldest;
        if (!string.IsNullOrWhiteSpace(sort) && !Enum.TryParse(sort, ignoreCase: true, out order))
        {
            errors["sort"] = [$"'sort' must be 'newest' or 'oldest'; got '{sort}'."];
        }

        if (minAgeDays is < 0 or > 3650)
        {
            errors["minAgeDays"] = ["'minAgeDays' must be between 0 and 3650."];
        }

        if (maxAgeDays is < 0 or > 3650)
        {
            errors["maxAgeDays"] = ["'maxAgeDays' must be between 0 and 3650."];
        }
        else if (minAgeDays is { } min && maxAgeDays is { } max && max < min)
        {
            errors["maxAgeDays"] = ["'maxAgeDays' must not be below 'minAgeDays'."];
        }

        if (pageSize is < 1 or > 200)
        {
            errors["pageSize"] = ["'pageSize' must be between 1 and 200."];
        }

        if (indication is { Length: > 200 })
        {
            errors["indication"] = ["'indication' is at most 200 characters."];
        }

        PriorAuthCaseQueueCursor? after = null;
        if (!string.IsNullOrEmpty(cursor) && !QueueCursor.TryDecode(cursor, order, out after))
        {
            errors["cursor"] = ["'cursor' is not a cursor this queue gave out for this sort order; start from the first page."];
        }

        return new QueueFilter(statuses.Distinct().ToList(), string.IsNullOrWhiteSpace(indication) ? null : indication.Trim(), minAgeDays, maxAgeDays, order, after, pageSize ?? defaultPageSize);
    }
}
