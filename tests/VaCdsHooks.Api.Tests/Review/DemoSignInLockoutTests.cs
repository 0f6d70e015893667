using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using VaCdsHooks.Api.Review;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>The lockout counts each attempt before its password is checked, so concurrent guesses stay within the limit.</summary>
public class DemoSignInLockoutTests
{
    private const string Password = "correct horse battery staple";

    private static DemoSignIn SignIn(int maxFailed = 3) => new(
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
        TimeProvider.System);

    [Fact]
    public async Task Concurrent_wrong_passwords_get_no_more_checks_than_the_limit()
    {
        var signIn = SignIn(maxFailed: 3);
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 24)
            .Select(i => Task.Run(() =>
            {
                start.Wait();
                return signIn.SignIn("nurse", "guess-" + i, "203.0.113.7");
            }))
            .ToList();

        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(3, results.Count(r => r.Problem == "The user name or password is wrong."));
        Assert.All(results, r => Assert.False(r.Succeeded));
        Assert.False(signIn.SignIn("nurse", Password, "203.0.113.7").Succeeded);
    }

    [Fact]
    public void A_success_gives_its_attempt_back()
    {
        var signIn = SignIn(maxFailed: 3);
        Assert.False(signIn.SignIn("nurse", "wrong", "203.0.113.8").Succeeded);
        Assert.False(signIn.SignIn("nurse", "wrong", "203.0.113.8").Succeeded);

        Assert.True(signIn.SignIn("nurse", Password, "203.0.113.8").Succeeded);

        // The count started over: two more wrong guesses do not lock the account.
        Assert.False(signIn.SignIn("nurse", "wrong", "203.0.113.8").Succeeded);
        Assert.False(signIn.SignIn("nurse", "wrong", "203.0.113.8").Succeeded);
        Assert.True(signIn.SignIn("nurse", Password, "203.0.113.8").Succeeded);
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "VaCdsHooks.Api";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
