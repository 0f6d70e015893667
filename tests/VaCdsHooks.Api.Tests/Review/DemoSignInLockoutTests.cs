using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using VaCdsHooks.Api.Review;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>
/// The lockout counts each attempt before its password is checked, so concurrent guesses stay within the limit;
/// the counters are in the database (a throwaway SQLite file per test here), as every instance shares them.
/// </summary>
public sealed class DemoSignInLockoutTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";

    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"vacdshooks-lockout-{Guid.NewGuid():N}.db");
    private ServiceProvider _storage = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:VaCdsHooks"] = $"Data Source={_databasePath}",
        }).Build();
        _storage = new ServiceCollection().AddLogging().AddVaCdsHooksStorage(configuration, AppContext.BaseDirectory).BuildServiceProvider();
        await _storage.MigrateVaCdsHooksStorageAsync();
    }

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_databasePath + suffix);
        }
    }

    private DemoSignIn SignIn(int maxFailed = 3) => new(
        new ReviewOptions
        {
            DemoAccounts = new DemoAccountOptions
            {
                Enabled = true,
                MaxFailedAttempts = maxFailed,
                MaxFailedAttemptsPerClient = 1000,
                Users = [new DemoAccount { UserName = "nurse", PasswordHash = DemoPasswords.Hash(Password), Roles = [StaffRoles.Reviewer] }],
            },
        },
        new Environment(),
        _storage.GetRequiredService<ISignInAttemptStore>(),
        TimeProvider.System);

    [Fact]
    public async Task Concurrent_wrong_passwords_get_no_more_checks_than_the_limit()
    {
        var signIn = SignIn(maxFailed: 3);
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 24)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await signIn.SignInAsync("nurse", "guess-" + i, "203.0.113.7");
            }))
            .ToList();

        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(3, results.Count(r => r.Problem == "The user name or password is wrong."));
        Assert.All(results, r => Assert.False(r.Succeeded));
        Assert.False((await signIn.SignInAsync("nurse", Password, "203.0.113.7")).Succeeded);
    }

    [Fact]
    public async Task A_success_gives_its_attempt_back()
    {
        var signIn = SignIn(maxFailed: 3);
        Assert.False((await signIn.SignInAsync("nurse", "wrong", "203.0.113.8")).Succeeded);
        Assert.False((await signIn.SignInAsync("nurse", "wrong", "203.0.113.8")).Succeeded);

        Assert.True((await signIn.SignInAsync("nurse", Password, "203.0.113.8")).Succeeded);

        // The count started over: two more wrong guesses do not lock the account.
        Assert.False((await signIn.SignInAsync("nurse", "wrong", "203.0.113.8")).Succeeded);
        Assert.False((await signIn.SignInAsync("nurse", "wrong", "203.0.113.8")).Succeeded);
        Assert.True((await signIn.SignInAsync("nurse", Password, "203.0.113.8")).Succeeded);
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "VaCdsHooks.Api";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
