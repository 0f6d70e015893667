using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Api.Review;

/// <summary>The payer review workspace: staff sign-in, queue, case pages, decisions and their JSON API.</summary>
public static class ReviewComposition
{
    public static IServiceCollection AddReviewWorkspace(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);

        // Validated at start-up: a half-configured provider or a plain password stops the service, naming the key.
        services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReviewOptions>, ReviewOptionsValidation>();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<ReviewOptions>>().Value);
        services.AddStaffAuthentication();

        services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/Review", ReviewPolicies.ReadCases);

            // Anonymous, but the staff scheme still runs, so the pages know who (if anyone) is signed in.
            pages.Conventions.AllowAnonymousToPage("/Review/SignIn");
            pages.Conventions.AllowAnonymousToPage("/Review/SignOut");
            pages.Conventions.AllowAnonymousToPage("/Review/Denied");
        });

        // DocumentationQuestionnaire, its builder and the response reader come from the DTR host (AddDocumentationWorkflow).
        services.AddSingleton<PolicyWording>();
        services.AddSingleton<CaseDocumentation>();
        services.AddSingleton<DemoSignIn>();
        services.AddScoped<ReviewService>();
        services.AddHostedService<ReviewStartupReport>();
        return services;
    }

    internal const string ReviewContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static WebApplication MapReviewWorkspace(this WebApplication app)
    {
        ReviewAuthentication.AddConfiguredSchemes(app.Services);

        // Patient data must not be cached or framed anywhere.
        app.UseWhen(
            http => http.Request.Path.StartsWithSegments("/review", StringComparison.OrdinalIgnoreCase)
                    || http.Request.Path.StartsWithSegments(ReviewAuthentication.JobsPath, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (http, next) =>
            {
                http.Response.OnStarting(() =>
                {
                    var headers = http.Response.Headers;
                    headers.CacheControl = "no-store";
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Referrer-Policy"] = "no-referrer";

                    // The workspace pages load only their own script and style files: nothing inline, nothing foreign.
                    // (The job dashboard ships inline script of its own, so it gets the other headers only.)
                    if (http.Request.Path.StartsWithSegments("/review", StringComparison.OrdinalIgnoreCase))
                    {
                        headers.ContentSecurityPolicy = ReviewContentSecurityPolicy;
                    }

                    return Task.CompletedTask;
                });
                await next(http);
            }));

        // The dashboard reads a form on every non-GET request and on /stats, and throws (a 500) when there is none:
        // answer those requests with the status that says what is wrong instead.
        app.UseWhen(
            http => http.Request.Path.StartsWithSegments(ReviewAuthentication.JobsPath, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (http, next) =>
            {
                var request = http.Request;
                var isStats = request.Path.StartsWithSegments(ReviewAuthentication.JobsPath + "/stats", StringComparison.OrdinalIgnoreCase);
                var readsForm = isStats || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
                if (isStats && !HttpMethods.IsPost(request.Method))
                {
                    http.Response.Headers.Allow = "POST";
                    await Results.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "The job statistics are read with a POST of the metrics wanted.").ExecuteAsync(http);
                    return;
                }

                if (readsForm && !request.HasFormContentType)
                {
                    await Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The job dashboard takes form posts (application/x-www-form-urlencoded).").ExecuteAsync(http);
                    return;
                }

                await next(http);
            }));

        app.MapStaticAssets();
        app.MapRazorPages();
        app.MapReviewApi();

        // Endpoint authorization decides who sees the dashboard; Hangfire's own filter (local requests only) is replaced by it.
        app.MapHangfireDashboard(ReviewAuthentication.JobsPath, new DashboardOptions
        {
            Authorization = Array.Empty<IDashboardAuthorizationFilter>(),
            AsyncAuthorization = Array.Empty<IDashboardAsyncAuthorizationFilter>(),
            AppPath = "/review",
            DashboardTitle = "VaCdsHooks background jobs",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(ReviewPolicies.Admin);

        return app;
    }
}

/// <summary>Start-up validation of <c>Review</c>, with the messages naming each key.</summary>
internal sealed class ReviewOptionsValidation(IHostEnvironment environment) : IValidateOptions<ReviewOptions>
{
    public ValidateOptionsResult Validate(string? name, ReviewOptions options)
    {
        var errors = options.Validate(environment.IsDevelopment());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Says at start-up how staff sign in, so a workspace nobody can enter (or a demo left on) is noticed.</summary>
internal sealed partial class ReviewStartupReport(ReviewOptions options, IHostEnvironment environment, ILogger<ReviewStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.DemoAccounts.IsActive(environment.IsDevelopment());
        if (options.Oidc.IsConfigured)
        {
            LogOidc(logger, options.Oidc.Authority!);
        }

        if (demo && !environment.IsDevelopment())
        {
            LogDemoOutsideDevelopment(logger, environment.EnvironmentName, options.DemoAccounts.Users.Count);
        }
        else if (demo)
        {
            LogDemo(logger, options.DemoAccounts.Users.Count);
        }

        if (!demo && !options.Oidc.IsConfigured)
        {
            LogNoSignIn(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Review workspace: staff sign in with OpenID Connect at {Authority}")]
    private static partial void LogOidc(ILogger logger, string authority);

    [LoggerMessage(Level = LogLevel.Information, Message = "Review workspace: {Count} demo accounts (Development)")]
    private static partial void LogDemo(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Review workspace: {Count} demo accounts are enabled in environment {Environment} by Review:DemoAccounts:Enabled=true")]
    private static partial void LogDemoOutsideDevelopment(ILogger logger, string environment, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Review workspace: no staff sign-in is configured (Review:Oidc); the workspace refuses everyone")]
    private static partial void LogNoSignIn(ILogger logger);
}
