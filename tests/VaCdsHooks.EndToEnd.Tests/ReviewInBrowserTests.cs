using Microsoft.Playwright;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;
using Xunit.Abstractions;

namespace VaCdsHooks.EndToEnd.Tests;

/// <summary>
/// A reviewer decides a case end to end in Chromium: the case comes from the real flow (order-sign, questionnaire
/// package, answers, the background re-evaluation), the reviewer signs in, finds it in the queue, opens it,
/// approves, sees it leave the queue, and the EHR's status query shows the approval with its number.
/// Skipped, with the reason, when no Chromium is installed; browsers are never downloaded.
/// </summary>
public sealed class ReviewInBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("VACDSHOOKS_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    private LiveService? _service;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string ArtifactsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            return;
        }

        _service = new LiveService();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _service?.Dispose();
    }

    [SkippableFact]
    public async Task A_reviewer_signs_in_finds_the_case_approves_it_and_the_EHR_sees_the_approval()
    {
        Skip.IfNot(File.Exists(Chromium), $"Chromium not found at {Chromium} (set VACDSHOOKS_CHROMIUM or install the Debian 'chromium' package); browsers are never downloaded.");
        var service = _service!;
        Directory.CreateDirectory(ArtifactsDirectory);

        // The provider's side, over HTTP: order-sign, package, conflicting answers, the job sends the case to review.
        using var provider = new EhrAndDtrApp(service);
        var assertionId = await provider.SignOrderAsync();
        await provider.SubmitConflictingAnswersAsync(assertionId);
        var (caseId, pendingStatus, _) = await provider.StatusAsync(assertionId, waitForDecision: true);
        Assert.Equal("pending-review", pendingStatus);
        output.WriteLine($"Case {caseId} reached pending-review through order-sign, $questionnaire-package, QuestionnaireResponse and the documentation job.");

        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { BaseURL = service.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });

        // Not signed in: the queue sends the browser to sign in.
        await page.GotoAsync("/review");
        Assert.Contains("/review/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("User name").FillAsync("reviewer");
        await page.GetByLabel("Password").FillAsync(LiveService.ReviewerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/review");
        Assert.Equal("Riley Reviewer (demo)", await page.GetByTestId("signed-in-user").InnerTextAsync());

        // The queue: pending review, the case in it.
        var row = page.Locator($"tr[data-case-id='{caseId}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        var queueShot = Path.Combine(ArtifactsDirectory, "review-queue.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = queueShot, FullPage = true });
        output.WriteLine("Queue screenshot: " + queueShot);

        // The case page: patient, criteria beside the answers, the conflict, the policy text a click away.
        await row.GetByTestId("open-case").ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Pending review");
        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveTextAsync("James Okafor");
        await Assertions.Expect(page.GetByTestId("conflicts")).ToBeVisibleAsync();
        var policy = page.Locator("tr[data-criterion='imaging-ruled-out'] details.policy");
        await policy.Locator("summary").ClickAsync();
        await Assertions.Expect(policy.Locator("blockquote")).ToContainTextAsync("ruled out other causes of spinal pain");
        var caseShot = Path.Combine(ArtifactsDirectory, "review-case.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = caseShot, FullPage = true });
        output.WriteLine("Case screenshot: " + caseShot);

        // A reviewer approves; a reviewer has no deny form.
        Assert.Equal(0, await page.GetByTestId("deny").CountAsync());
        await page.GetByTestId("approve").ClickAsync();
        await Assertions.Expect(page.GetByTestId("decision-done")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Approved");
        var number = (await page.GetByTestId("pa-number").InnerTextAsync()).Trim();
        Assert.False(string.IsNullOrEmpty(number));
        var approvedShot = Path.Combine(ArtifactsDirectory, "review-case-approved.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = approvedShot, FullPage = true });
        output.WriteLine("Approved case screenshot: " + approvedShot);

        // It has left the queue.
        await page.GotoAsync("/review");
        await Assertions.Expect(page.Locator($"tr[data-case-id='{caseId}']")).ToHaveCountAsync(0);

        // The EHR's next status query shows the approval and the number.
        var (_, finalStatus, preAuthRef) = await provider.StatusAsync(assertionId, waitForDecision: false);
        Assert.Equal("approved", finalStatus);
        Assert.Equal(number, preAuthRef);

        // And the view and the decision are on the audit log.
        var audit = await StoredRows.AuditAsync(service.Services, caseId, actorUserId: "reviewer");
        Assert.Contains(audit, e => e.Action == AuditActions.ViewCase);
        Assert.Contains(audit, e => e.Action == AuditActions.Decide);
    }
}
