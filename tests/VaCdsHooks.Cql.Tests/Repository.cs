namespace VaCdsHooks.Cql.Tests;

/// <summary>Paths in the repository the tests read.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string FhirResources => Path.Combine(Root, "fhir-resources");

    public static string LibraryDirectory => Path.Combine(FhirResources, "Library");

    public static string CqlFile => Path.Combine(LibraryDirectory, "VertebralAugmentationPrepopulation.cql");

    public static string ElmFile => Path.Combine(LibraryDirectory, "VertebralAugmentationPrepopulation.json");

    public static string LibraryFile => Path.Combine(LibraryDirectory, "Library-vertebral-augmentation-prepopulation.json");

    public static string QuestionnaireFile => Path.Combine(FhirResources, "Questionnaire", "vertebral-augmentation-documentation.json");

    public static string ValueSetDirectory => Path.Combine(FhirResources, "ValueSet");

    /// <summary>The example charts (one Bundle per patient) the demo and the README use.</summary>
    public static IReadOnlyList<string> ExampleCharts =>
        Directory.GetFiles(Path.Combine(FhirResources, "examples"), "patient-*.json").Order(StringComparer.Ordinal).ToList();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VaCdsHooks.sln not found above " + AppContext.BaseDirectory);
    }
}
