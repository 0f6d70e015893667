using System.Diagnostics;
using Hangfire.Client;
using Hangfire.Server;

namespace VaCdsHooks.Api.Jobs;

/// <summary>
/// A span around each background job's execution. The trace of the request that enqueued the job travels with it as
/// a job parameter, so a QuestionnaireResponse and the decision its job makes later read as one trace. Tags name the
/// job and its id, never its arguments.
/// </summary>
public sealed class JobTracingFilter : IClientFilter, IServerFilter
{
    public const string ActivitySourceName = "VaCdsHooks.Jobs";

    private const string TraceParentParameter = "traceparent";
    private const string ActivityItem = "VaCdsHooks.JobActivity";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            context.SetJobParameter(TraceParentParameter, current.Id);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        var parent = context.GetJobParameter<string>(TraceParentParameter) is { } traceParent
                     && ActivityContext.TryParse(traceParent, null, out var enqueuedBy)
            ? enqueuedBy
            : default;
        var job = context.BackgroundJob.Job;
        var activity = Source.StartActivity($"job {job.Type.Name}.{job.Method.Name}", ActivityKind.Consumer, parent);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("messaging.system", "hangfire");
        activity.SetTag("messaging.message.id", context.BackgroundJob.Id);
        activity.SetTag("code.function.name", $"{job.Type.FullName}.{job.Method.Name}");
        context.Items[ActivityItem] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (!context.Items.TryGetValue(ActivityItem, out var item) || item is not Activity activity)
        {
            return;
        }

        if (context.Exception is { } exception && !context.ExceptionHandled)
        {
            // The type only: an exception message may quote the data the job worked on.
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", (exception.InnerException ?? exception).GetType().FullName);
        }

        activity.Dispose();
    }
}
