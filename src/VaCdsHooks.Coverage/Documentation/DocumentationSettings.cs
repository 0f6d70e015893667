namespace VaCdsHooks.Coverage.Documentation;

/// <summary>Settings of the DTR documentation step (configuration section <c>Dtr</c>).</summary>
public sealed class DocumentationSettings
{
    public const string SectionName = "Dtr";

    public static IReadOnlyList<string> SupportedDtrVersions { get; } = ["2.0.1", "2.2.0"];

    /// <summary>
    /// The DTR version of the shapes we emit. 2.0.1 (default, what the conformance kit validates): pre-filled
    /// answers carry information-origin <c>auto</c> and the Coverage travels in <c>qr-context</c>. 2.2.0:
    /// <c>auto-server</c> and <c>qr-coverage</c>.
    /// </summary>
    public string DtrVersion { get; set; } = "2.0.1";

    public bool IsDtr22 => DtrVersion.StartsWith("2.2", StringComparison.Ordinal);

    /// <summary>The information-origin source of an answer the payer pre-filled.</summary>
    public string PayerPrefilledSource => IsDtr22 ? "auto-server" : "auto";

    public static DocumentationSettings Default => new();

    public IReadOnlyList<string> Validate() =>
        SupportedDtrVersions.Contains(DtrVersion)
            ? []
            : [$"{SectionName}:{nameof(DtrVersion)} must be one of {string.Join(", ", SupportedDtrVersions)}; got '{DtrVersion}'."];
}
