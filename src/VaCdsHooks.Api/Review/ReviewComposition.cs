namespace VaCdsHooks.Api.Review;

/// <summary>The payer review workspace: staff sign-in, queue, case pages, decisions and their JSON API.</summary>
public static class ReviewComposition
{
    public static IServiceCollection AddReviewWorkspace(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        return services;
    }

    public static WebApplication MapReviewWorkspace(this WebApplication app) => app;
}
