using System.Globalization;

namespace VaCdsHooks.Benchmarks;

/// <summary>A mistake in the command line: reported in one sentence, never as a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A failure of the run itself (service unreachable, refused the first call, port taken).</summary>
public sealed class RunException(string message) : Exception(message);

/// <summary>
/// <c>--name value</c> and <c>--flag</c> options of one subcommand. Unknown options, missing values and bad numbers
/// are usage errors, so a typo never silently runs with a default.
/// </summary>
public sealed class CliOptions
{
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);

    private CliOptions(string command) => Command = command;

    public string Command { get; }

    public static bool AsksForHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    public static CliOptions Parse(string command, string[] args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flags)
    {
        var line = new CliOptions(command);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (flags.Contains(name))
            {
                line._given[name] = null;
            }
            else if (valueOptions.Contains(name))
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"{name} needs a value.");
                }

                line._given[name] = args[++i];
            }
            else
            {
                throw new UsageException($"unknown option '{name}' for '{command}'.");
            }
        }

        return line;
    }

    public bool Flag(string name) => _given.ContainsKey(name);

    public string? Optional(string name) => _given.TryGetValue(name, out var value) ? value : null;

    public string String(string name, string fallback) => Optional(name) ?? fallback;

    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        if (Optional(name) is not { } text)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
        }

        return value;
    }

    public Uri Url(string name, string fallback)
    {
        var text = String(name, fallback);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"{name} must be an absolute http(s) URL, not '{text}'.");
        }

        return uri;
    }

    public string ExistingFile(string name, string fallback)
    {
        var path = Path.GetFullPath(String(name, fallback));
        return File.Exists(path) ? path : throw new UsageException($"{name}: no file at {path}.");
    }

    public T Choice<T>(string name, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        if (Optional(name) is not { } text)
        {
            return fallback;
        }

        return choices.TryGetValue(text, out var value)
            ? value
            : throw new UsageException($"{name} must be one of {string.Join(", ", choices.Keys)}, not '{text}'.");
    }
}
