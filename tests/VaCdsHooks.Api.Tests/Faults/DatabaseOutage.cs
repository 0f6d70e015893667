using System.Data.Common;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Tests.Faults;

/// <summary>What a database client throws when the server is gone.</summary>
public sealed class SimulatedDatabaseException(string message) : DbException(message);

/// <summary>
/// Switches the service's database off and on while it runs. The real stores stay registered (the schema is migrated
/// at start as usual); each is wrapped so that while <see cref="Down"/> is set every call fails as a lost connection
/// would. <see cref="FailOnce"/> fails one chosen call, before or after it reached the database.
/// </summary>
public sealed class DatabaseOutage
{
    private Func<MethodInfo, bool>? _failOnce;
    private bool _afterCall;

    public volatile bool Down;

    /// <summary>Whether the call armed with <see cref="FailOnce"/> has failed.</summary>
    public volatile bool FailedOnce;

    /// <summary>How many calls the outage refused.</summary>
    public int Refused;

    /// <summary>The next call to a method matching <paramref name="which"/> fails; with <paramref name="afterCall"/> it first completes (the commit happened, the caller never learns).</summary>
    public void FailOnce(Func<MethodInfo, bool> which, bool afterCall)
    {
        _afterCall = afterCall;
        FailedOnce = false;
        _failOnce = which;
    }

    internal (bool Before, bool After) ShouldFail(MethodInfo method)
    {
        if (Down)
        {
            Interlocked.Increment(ref Refused);
            return (true, false);
        }

        if (_failOnce is { } which && which(method) && Interlocked.Exchange(ref _failOnce, null) is not null)
        {
            FailedOnce = true;
            return (!_afterCall, _afterCall);
        }

        return (false, false);
    }

    /// <summary>The store interfaces the service reaches the database through.</summary>
    public static readonly Type[] Stores =
    [
        typeof(IHookRecordWriter), typeof(IPriorAuthCaseStore), typeof(IQuestionnaireResponseStore), typeof(ICoverageAssertionStore),
        typeof(ICardFeedbackStore), typeof(ITokenUseStore), typeof(IHookExchangeLogReader), typeof(IReviewDecisionStore), typeof(IAuditLog),
    ];

    /// <summary>Wraps every registered store in an outage-aware proxy.</summary>
    public void Install(IServiceCollection services)
    {
        services.AddSingleton(this);
        foreach (var store in Stores)
        {
            var original = services.Last(d => d.ServiceType == store);
            services.RemoveAll(store);
            services.AddSingleton(store, provider => Wrap(store, Create(original, provider)));
        }
    }

    private static object Create(ServiceDescriptor descriptor, IServiceProvider provider) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);

    private object Wrap(Type store, object inner)
    {
        var proxy = (OutageProxy)DispatchProxy.Create(store, typeof(OutageProxy));
        proxy.Inner = inner;
        proxy.Outage = this;
        return proxy;
    }

    public class OutageProxy : DispatchProxy
    {
        internal object Inner = null!;
        internal DatabaseOutage Outage = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var (before, after) = Outage.ShouldFail(targetMethod!);
            if (before)
            {
                return Faulted(targetMethod!, "The database is down (simulated).");
            }

            object? result;
            try
            {
                result = targetMethod!.Invoke(Inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }

            return after ? FailAfter(targetMethod, result) : result;
        }

        /// <summary>A task of the method's own type that fails as a lost connection does.</summary>
        private static object? Faulted(MethodInfo method, string message)
        {
            var error = new SimulatedDatabaseException(message);
            var type = method.ReturnType;
            if (type == typeof(Task))
            {
                return Task.FromException(error);
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
            {
                return typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!
                    .MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, [error]);
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            {
                return typeof(ValueTask).GetMethod(nameof(ValueTask.FromException), 1, [typeof(Exception)])!
                    .MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, [error]);
            }

            throw error;
        }

        /// <summary>Lets the call finish (it committed), then fails before the caller sees the result: a worker killed right there.</summary>
        private static object? FailAfter(MethodInfo method, object? result)
        {
            if (result is not Task task)
            {
                throw new SimulatedDatabaseException("Connection lost after the call completed (simulated).");
            }

            var type = method.ReturnType;
            if (type == typeof(Task))
            {
                return FailAfterAsync(task);
            }

            var resultType = type.GetGenericArguments()[0];
            return typeof(OutageProxy).GetMethod(nameof(FailAfterTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(resultType).Invoke(null, [task]);
        }

        private static async Task FailAfterAsync(Task task)
        {
            await task;
            throw new SimulatedDatabaseException("Connection lost after the commit (simulated).");
        }

        private static async Task<T> FailAfterTypedAsync<T>(Task<T> task)
        {
            await task;
            throw new SimulatedDatabaseException("Connection lost after the commit (simulated).");
        }
    }
}
