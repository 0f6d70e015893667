namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>Finds files of the repository (examples, shared fixtures) from the test's output folder.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The shared conformance fixtures live beside the repository (../shared/fixtures).</summary>
    public static string SharedFixture(string kit, string file) => System.IO.Path.Combine(Root, "..", "shared", "fixtures", kit, file);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VaCdsHooks.sln not found above " + AppContext.BaseDirectory);
    }
}
