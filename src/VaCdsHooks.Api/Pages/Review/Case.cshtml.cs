using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VaCdsHooks.Api.Review;

namespace VaCdsHooks.Api.Pages.Review;

/// <summary>One case: who and what, the criteria beside the answers, conflicts, history, and the decision forms.</summary>
public sealed class CaseModel(ReviewService review, TimeProvider time) : PageModel
{
    [BindProperty]
    public DecisionForm Form { get; set; } = new();

    public CaseDetail? Detail { get; private set; }

    public string? Problem { get; private set; }

    public string? Decided { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public DateTimeOffset Now { get; private set; }

    public PolicyWording Wording => review.Wording;

    public async Task<IActionResult> OnGetAsync(string caseId, string? decided, CancellationToken cancellationToken)
    {
        Decided = decided;
        return await LoadAsync(caseId, cancellationToken) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(string caseId, CancellationToken cancellationToken)
    {
        var result = await review.DecideAsync(caseId, new DecisionRequest(Form.Decision, Form.ExpectedVersion, Form.ReasonCode, Form.Rationale), StaffActor.From(HttpContext), cancellationToken);
        if (result.Refusal == DecisionRefusal.None)
        {
            // Post/redirect/get: a reload must not decide twice.
            return RedirectToPage("/Review/Case", new { caseId, decided = result.Outcome!.Decision.Decision });
        }

        if (result.Refusal == DecisionRefusal.NotFound)
        {
            return NotFound();
        }

        Problem = result.Message;
        Errors = result.Errors ?? new Dictionary<string, string[]>();
        Response.StatusCode = result.Refusal switch
        {
            DecisionRefusal.Invalid => StatusCodes.Status400BadRequest,
            DecisionRefusal.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status409Conflict,
        };

        // The page shows the case as it is now; the reviewer's text stays in the form unless the case moved on.
        await LoadAsync(caseId, cancellationToken);
        if (result.Refusal == DecisionRefusal.Conflict)
        {
            ModelState.Clear();
            Form = new DecisionForm();
        }

        return Page();
    }

    private async Task<bool> LoadAsync(string caseId, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Detail = await review.CaseAsync(caseId, StaffActor.From(HttpContext), cancellationToken);
        return Detail is not null;
    }

    public sealed class DecisionForm
    {
        public string? Decision { get; set; }

        public long? ExpectedVersion { get; set; }

        public string? ReasonCode { get; set; }

        public string? Rationale { get; set; }
    }
}
