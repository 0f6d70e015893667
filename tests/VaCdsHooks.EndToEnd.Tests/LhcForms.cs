using Microsoft.Playwright;
using VaCdsHooks.Testing;

namespace VaCdsHooks.EndToEnd.Tests;

/// <summary>
/// LHC-Forms (npm lforms, restored with npm ci in <c>lhc-forms/</c>) served to Chromium from node_modules under a
/// made-up origin, as a DTR app would host it: the web component, zone.js and the R4 FHIR support file. Every other
/// request the page makes is refused and recorded, so the form cannot lean on a terminology server or the internet.
/// </summary>
public static class LhcForms
{
    public const string Origin = "http://lhc-forms.test";

    private static readonly Lazy<string?> Missing = new(FindMissing);

    public static string PackageDirectory { get; } = RepositoryFiles.Path("tests", "VaCdsHooks.EndToEnd.Tests", "lhc-forms");

    private static string Dist => Path.Combine(PackageDirectory, "node_modules", "lforms", "dist", "lforms");

    /// <summary>Why LHC-Forms cannot be served here (npm missing and nothing installed), or null; restores it when it can.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>The page: the files the lforms README lists for the web component, in its order.</summary>
    private const string Page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>DTR documentation</title>
          <link rel="icon" href="data:,">
          <link rel="stylesheet" href="/lforms/webcomponent/styles.css">
          <script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
          <script src="/lforms/webcomponent/runtime.js" type="module"></script>
          <script src="/lforms/webcomponent/polyfills.js" type="module"></script>
          <script src="/lforms/webcomponent/main.js" type="module"></script>
          <script src="/lforms/fhir/R4/lformsFHIR.min.js" defer></script>
        </head>
        <body><div id="form"></div></body>
        </html>
        """;

    /// <summary>Serves the page and the lforms files on <see cref="Origin"/>; any other request is aborted and added to <paramref name="refused"/>.</summary>
    public static async Task ServeAsync(IPage page, ICollection<string> refused)
    {
        await page.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.GetLeftPart(UriPartial.Authority) != Origin)
            {
                lock (refused)
                {
                    refused.Add(route.Request.Url);
                }

                await route.AbortAsync("blockedbyclient");
                return;
            }

            if (url.AbsolutePath == "/")
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html; charset=utf-8", Body = Page });
                return;
            }

            var relative = Uri.UnescapeDataString(url.AbsolutePath).TrimStart('/');
            var file = Path.GetFullPath(Path.Combine(Dist, relative.StartsWith("lforms/", StringComparison.Ordinal) ? relative["lforms/".Length..] : "\0"));
            if (!file.StartsWith(Dist + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 404, Body = "not found" });
                return;
            }

            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = ContentType(file), BodyBytes = await File.ReadAllBytesAsync(file) });
        });
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    private static string? FindMissing()
    {
        if (NodePackages.MissingReason("LHC-Forms is restored with npm ci", "npm") is not { } npmMissing)
        {
            NodePackages.Restore(PackageDirectory);
            return null;
        }

        // Installed by hand before, without npm now: serve what is there.
        return File.Exists(Path.Combine(Dist, "webcomponent", "main.js")) ? null : $"LHC-Forms is not installed in {PackageDirectory}/node_modules and {npmMissing}";
    }
}
