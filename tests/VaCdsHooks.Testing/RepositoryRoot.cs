namespace VaCdsHooks.Testing;

/// <summary>The repository's root folder, found from the test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
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
