using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Playwright;
using VaCdsHooks.Testing;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.EndToEnd.Tests;

/// <summary>
/// The service as the conformance kits and a DTR app meet it, black box over HTTP (<see cref="KitDrivenClient"/>):
/// the package's own Library executed in Node.js with cql-execution against the chart, and the package's
/// Questionnaire rendered by LHC-Forms 40.1.3 in Chromium with the draft QuestionnaireResponse merged. Skipped, with
/// the reason, without Node.js / npm or Chromium; .ci/run installs both, so in CI they run.
/// </summary>
public sealed class KitFlowTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string InitialExpressionUrl = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression";
    private const string HiddenUrl = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden";
    private const string LibraryUrl = "http://hl7.org/fhir/StructureDefinition/cqf-library";

    private static readonly string Chromium = Environment.GetEnvironmentVariable("VACDSHOOKS_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    private readonly LiveService _service = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _service.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Kit_examples_then_a_spine_order_lead_to_a_package_whose_questionnaire_and_draft_match()
    {
        using var client = new KitDrivenClient(_service);
        var serviceId = await client.DiscoverOrderSignServiceAsync();
        foreach (var (fixture, service) in new[]
        {
            ("order_sign_hook_request.json", serviceId),
            ("order_dispatch_hook_request.json", "vertebral-augmentation-order-dispatch"),
            ("appointment_book_hook_request.json", "vertebral-augmentation-appointment-book"),
        })
        {
            await client.SendKitExampleAsync(fixture, service);
        }

        var information = await client.SignSpineOrderAsync(serviceId);
        var package = await client.QuestionnairePackageAsync(information);
        var (questionnaire, draft) = QuestionnaireAndDraft(package);

        // DTR kit: the Questionnaire is the one CRD named, and the draft answers it (q.url == qr.questionnaire).
        Assert.Equal(information["questionnaire"].GetProperty("valueCanonical").GetString(), questionnaire.Url);
        Assert.Equal(questionnaire.Url + "|" + questionnaire.Version, draft.Questionnaire);
        Assert.NotEmpty(Answered(draft.Item));
    }

    [SkippableFact]
    public async Task The_packages_Library_executed_in_Node_prefills_what_the_draft_response_says()
    {
        Skip.If(CqlRunner.MissingReason is not null, CqlRunner.MissingReason);
        using var client = new KitDrivenClient(_service);
        var package = await client.RunAsync();
        var (questionnaire, draft) = QuestionnaireAndDraft(package);

        // The Library the Questionnaire names, from the package (not the file on disk): CQL and ELM side by side.
        var libraryCanonical = Assert.IsType<Canonical>(questionnaire.GetExtensionValue<DataType>(LibraryUrl)).Value!;
        var library = package.Entry.Select(e => e.Resource).OfType<Library>().Single(l => l.Url + "|" + l.Version == libraryCanonical || l.Url == libraryCanonical);
        Assert.Contains(library.Content, c => c.ContentType == "text/cql" && c.Data is { Length: > 0 });
        var elm = Assert.Single(library.Content, c => c.ContentType == "application/elm+json").Data!;

        var directory = Directory.CreateTempSubdirectory("vacdshooks-kit-cql-").FullName;
        try
        {
            var elmFile = Path.Combine(directory, "library.elm.json");
            File.WriteAllBytes(elmFile, elm);
            var valueSets = Directory.CreateDirectory(Path.Combine(directory, "ValueSet")).FullName;
            foreach (var valueSet in package.Entry.Select(e => e.Resource).OfType<ValueSet>())
            {
                File.WriteAllText(Path.Combine(valueSets, valueSet.Id + ".json"), JsonSerializer.Serialize(valueSet, KitDrivenClient.Json));
            }

            var chart = client.WriteChartBundle(directory);
            var results = CqlRunner.Run(elmFile, valueSets, [chart])[chart];

            var answers = Answered(draft.Item);
            var prefilled = 0;
            foreach (var item in Flatten(questionnaire.Item).Where(i => i.GetExtension(InitialExpressionUrl) is not null))
            {
                var expression = Assert.IsType<Expression>(item.GetExtensionValue<DataType>(InitialExpressionUrl));
                Assert.StartsWith("text/cql", expression.Language, StringComparison.Ordinal);
                var definition = DefinitionName(expression.Expression_!);
                Assert.True(results.TryGetProperty(definition, out var value), $"{item.LinkId}: the ELM has no \"{definition}\"");
                var answer = answers.GetValueOrDefault(item.LinkId!);
                Assert.True(CqlValues.Same(answer, value), $"{item.LinkId}: the draft says {CqlValues.Describe(answer)}, \"{definition}\" gives {value.GetRawText()}");
                prefilled += answer is null ? 0 : 1;
                output.WriteLine($"{item.LinkId}: \"{definition}\" = {value.GetRawText()}, draft {CqlValues.Describe(answer)}");
            }

            Assert.True(prefilled > 0, "the conditional chart pre-fills nothing: the comparison proved nothing");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task The_packages_Questionnaire_renders_in_LHC_Forms_with_the_draft_merged_and_no_console_errors()
    {
        Skip.IfNot(File.Exists(Chromium), $"Chromium not found at {Chromium} (set VACDSHOOKS_CHROMIUM or install the Debian 'chromium' package); browsers are never downloaded.");
        Skip.If(LhcForms.MissingReason is not null, LhcForms.MissingReason);
        using var client = new KitDrivenClient(_service);
        var (questionnaire, draft) = QuestionnaireAndDraft(await client.RunAsync());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add("page error: " + error);
            }
        };
        var refused = new List<string>();
        await LhcForms.ServeAsync(page, refused);

        await page.GotoAsync(LhcForms.Origin + "/");
        await page.WaitForFunctionAsync("() => window.LForms && LForms.Util && LForms.FHIR && LForms.FHIR.R4");
        var failure = await page.EvaluateAsync<string?>(
            """
            async ([questionnaireJson, draftJson]) => {
              try {
                const form = LForms.Util.convertFHIRQuestionnaireToLForms(JSON.parse(questionnaireJson), 'R4');
                const merged = await LForms.Util.mergeFHIRDataIntoLForms('QuestionnaireResponse', JSON.parse(draftJson), form, 'R4');
                await LForms.Util.addFormToPage(merged, 'form', { fhirVersion: 'R4' });
                const answerLists = {};
                const walk = (items) => (items || []).forEach(i => { answerLists[i.linkId] = (i.answers || []).length; walk(i.items); });
                walk(merged.items);
                window.answerLists = answerLists;
                return null;
              } catch (e) {
                return e && e.stack ? e.stack : JSON.stringify(e);
              }
            }
            """,
            new[] { JsonSerializer.Serialize(questionnaire, KitDrivenClient.Json), JsonSerializer.Serialize(draft, KitDrivenClient.Json) });
        Directory.CreateDirectory(ReviewInBrowserTests.ArtifactsDirectory);
        var shot = Path.Combine(ReviewInBrowserTests.ArtifactsDirectory, "lhc-forms-package.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        await File.WriteAllTextAsync(Path.Combine(ReviewInBrowserTests.ArtifactsDirectory, "lhc-forms-package.html"), await page.ContentAsync());
        output.WriteLine("LHC-Forms screenshot: " + shot);
        Assert.True(failure is null, "LHC-Forms refused the package: " + failure);

        var form = page.Locator("wc-lhc-form");
        await Assertions.Expect(form).ToBeVisibleAsync();

        // The form renders: every item shown unconditionally is on the page with its text.
        foreach (var item in Flatten(questionnaire.Item).Where(i => i.EnableWhen.Count == 0 && i.GetExtension(HiddenUrl) is null))
        {
            await Assertions.Expect(form.GetByText(item.Text!, new() { Exact = true }).First).ToBeVisibleAsync();
        }

        // The answer lists come from the package (contained or expanded ValueSets, answerOption), not a terminology server.
        var answerLists = await page.EvaluateAsync<Dictionary<string, int>>("() => window.answerLists");
        var choiceItems = Flatten(questionnaire.Item).Where(i => i.AnswerValueSet is not null || i.AnswerOption.Count > 0).ToList();
        Assert.NotEmpty(choiceItems);
        foreach (var item in choiceItems)
        {
            Assert.True(answerLists.GetValueOrDefault(item.LinkId!) > 0, $"{item.LinkId}: LHC-Forms has no answers for {item.AnswerValueSet}");
        }

        // The draft's answers are shown in the fields, as a person reads them.
        var shownValues = await form.Locator("input").EvaluateAllAsync<string[]>("inputs => inputs.map(i => i.value)");
        foreach (var (linkId, answer) in Answered(draft.Item))
        {
            var text = answer switch
            {
                Date date => DateOnly.ParseExact(date.Value!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).ToString("MM/dd/yyyy", System.Globalization.CultureInfo.InvariantCulture),
                Coding coding => coding.Display ?? coding.Code,
                _ => answer.ToString(),
            };
            Assert.True(shownValues.Contains(text), $"{linkId}: \"{text}\" is not in any field ({string.Join(", ", shownValues.Where(v => v.Length > 0))})");
        }

        // And what the rendered form gives back is what was merged.
        var rendered = await page.EvaluateAsync<string>("() => JSON.stringify(LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4'))");
        var back = JsonSerializer.Deserialize<QuestionnaireResponse>(rendered, KitDrivenClient.Json)!;
        var expected = Answered(draft.Item);
        var actual = Answered(back.Item);
        foreach (var (linkId, answer) in expected)
        {
            Assert.True(actual.TryGetValue(linkId, out var shown) && answer.Matches(shown), $"{linkId}: the draft says {CqlValues.Describe(answer)}, the form shows {CqlValues.Describe(actual.GetValueOrDefault(linkId))}");
        }

        await Task.Delay(250);
        lock (errors)
        {
            Assert.True(errors.Count == 0, "LHC-Forms reported errors:\n" + string.Join("\n", errors));
        }

        Assert.True(refused.Count == 0, "the form requested resources from elsewhere (a terminology server?):\n" + string.Join("\n", refused));
    }

    private static (Questionnaire Questionnaire, QuestionnaireResponse Draft) QuestionnaireAndDraft(Bundle package) =>
        (Assert.IsType<Questionnaire>(package.Entry[0].Resource), package.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single());

    /// <summary>Answers by linkId (the first answer of each answered item, nested items included).</summary>
    private static Dictionary<string, DataType> Answered(IEnumerable<QuestionnaireResponse.ItemComponent> items)
    {
        var answers = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Answer.FirstOrDefault()?.Value is { } value)
            {
                answers[item.LinkId!] = value;
            }

            foreach (var (linkId, nested) in Answered(item.Item.Concat(item.Answer.SelectMany(a => a.Item))))
            {
                answers[linkId] = nested;
            }
        }

        return answers;
    }

    /// <summary><c>"Library"."Definition"</c> or <c>Definition</c> -> the definition's name.</summary>
    private static string DefinitionName(string expression)
    {
        var last = expression.Split('.')[^1];
        return last.Trim('"');
    }

    private static IEnumerable<Questionnaire.ItemComponent> Flatten(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => new[] { i }.Concat(Flatten(i.Item)));
}
