using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VaCdsHooks.Api.Review;

namespace VaCdsHooks.Api.Pages.Review;

/// <summary>The review queue: pending review first, oldest first, with status tabs, filters and paging.</summary>
public sealed class IndexModel(ReviewService review, ReviewOptions options, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Indication { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Age { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sort { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public QueuePage? Queue { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public DateTimeOffset Now { get; private set; }

    public string SelectedStatus => string.IsNullOrWhiteSpace(Status) ? "pending-review" : Status;

    public string SelectedSort => string.Equals(Sort, "newest", StringComparison.OrdinalIgnoreCase) ? "newest" : "oldest";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var (min, max) = ReviewDisplay.AgeRange(Age);
        var filter = QueueFilterParser.Parse(SelectedStatus, Indication, min, max, SelectedSort, Cursor, null, options.QueuePageSize, errors);
        if (errors.Count > 0)
        {
            Errors = errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Queue = await review.QueueAsync(filter, StaffActor.From(HttpContext), cancellationToken);
        return Page();
    }

    /// <summary>A link to this queue with one parameter changed (and paging restarted unless the cursor is what changes).</summary>
    public string Link(string? status = null, string? cursor = null, string? sort = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["status"] = status ?? SelectedStatus,
            ["indication"] = Indication,
            ["age"] = Age,
            ["sort"] = sort ?? SelectedSort,
            ["cursor"] = cursor,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/review", query.Where(p => !string.IsNullOrEmpty(p.Value))!);
    }
}
