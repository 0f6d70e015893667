using Microsoft.Extensions.Diagnostics.HealthChecks;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Storage;

/// <summary>Ready only when the database answers.</summary>
public sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await services.IsVaCdsHooksStorageReadyAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database is not reachable.");
}
