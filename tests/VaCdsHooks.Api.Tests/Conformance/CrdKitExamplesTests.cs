using System.Net;
using System.Text.Json;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.Conformance;

/// <summary>
/// The service driven the way the public Da Vinci CRD conformance kit (inferno-framework/davinci-crd-test-kit)
/// drives a CRD server: discovery, then each of the kit's example hook requests
/// (shared/fixtures/crd-conformance-examples), signed as an EHR signs them. The examples are not spine orders, so
/// we assess nothing in them: primary hooks must still answer with an empty <c>systemActions</c> array. Every
/// system action we do return must satisfy the coverage-information invariants crd-ci-q1, crd-ci-q2 and crd-ci-q5.
/// </summary>
public sealed class CrdKitExamplesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Kit = "crd-conformance-examples";
    private const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

    private static readonly string[] CardTypeSystems =
    [
        "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp",
        "http://terminology.hl7.org/CodeSystem/cdshooks-card-type",
    ];

    private static readonly string[] CardTypes =
    [
        "coverage-info", "claim", "insurance", "limits", "network", "appropriate-use", "cost", "therapy-alternatives-opt",
        "therapy-alternatives-req", "clinical-reminder", "duplicate-therapy", "contraindication", "guideline", "off-guideline",
    ];

    public static TheoryData<string, string, bool> KitRequests() => new()
    {
        { "order_sign_hook_request.json", "vertebral-augmentation-order-sign", true },
        { "order_dispatch_hook_request.json", "vertebral-augmentation-order-dispatch", true },
        { "appointment_book_hook_request.json", "vertebral-augmentation-appointment-book", true },
        { "order_select_hook_request.json", "vertebral-augmentation-order-select", false },
    };

    [Fact]
    public async Task Discovery_lists_services_with_hook_id_description_prefetch_and_CRD_extensions()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/cds-services");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var services = document.RootElement.GetProperty("services").EnumerateArray().ToList();
        Assert.NotEmpty(services);
        Assert.All(services, service =>
        {
            foreach (var field in new[] { "hook", "id", "description" })
            {
                Assert.False(string.IsNullOrWhiteSpace(service.GetProperty(field).GetString()), field);
            }

            Assert.All(service.GetProperty("prefetch").EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
            var extension = service.GetProperty("extension");
            Assert.Contains(extension.GetProperty("davinci-crd.version").GetString(), new[] { "2.0.1", "2.1.0", "2.2.1" });
            Assert.All(extension.GetProperty("davinci-crd.configuration-options").EnumerateArray(), option =>
            {
                Assert.Equal("boolean", option.GetProperty("type").GetString());
                Assert.False(string.IsNullOrWhiteSpace(option.GetProperty("code").GetString()));
            });
        });
    }

    [Theory]
    [MemberData(nameof(KitRequests))]
    public async Task Kit_example_request_gets_200_with_CRD_cards_and_systemActions_on_primary_hooks(string fixture, string serviceId, bool primary)
    {
        var body = File.ReadAllText(RepositoryFiles.SharedFixture(Kit, fixture));

        using var response = await factory.PostHookAsync(serviceId, body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        var answer = document.RootElement;
        AssertCrdCards(answer);

        if (primary)
        {
            // CRD hooks page: primary hooks SHALL always return systemActions (kit rule
            // crd_coverage_info_system_action_received); none of these orders is ours, so the array is empty.
            Assert.True(answer.TryGetProperty("systemActions", out var actions), "systemActions is missing: " + text);
            Assert.Equal(JsonValueKind.Array, actions.ValueKind);
            Assert.Empty(actions.EnumerateArray());
        }

        AssertCoverageInformationInvariants(answer);
    }

    [Theory]
    [InlineData(Charts.Covered)]
    [InlineData(Charts.Conditional)]
    [InlineData(Charts.NotCovered)]
    public async Task Spine_order_answers_satisfy_the_coverage_information_invariants(string chart)
    {
        using var response = await factory.PostHookAsync("vertebral-augmentation-order-sign", Charts.Request(chart).ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        Assert.NotEmpty(document.RootElement.GetProperty("systemActions").EnumerateArray());
        AssertCrdCards(document.RootElement);
        AssertCoverageInformationInvariants(document.RootElement);
    }

    /// <summary>CRD cards page: a CRD card type in source.topic, a uuid on cards and suggestions, a short summary, absolute links.</summary>
    private static void AssertCrdCards(JsonElement answer)
    {
        Assert.Equal(JsonValueKind.Array, answer.GetProperty("cards").ValueKind);
        foreach (var card in answer.GetProperty("cards").EnumerateArray())
        {
            Assert.True(Guid.TryParse(card.GetProperty("uuid").GetString(), out _));
            Assert.True(card.GetProperty("summary").GetString()!.Length < 140);
            Assert.Contains(card.GetProperty("indicator").GetString(), new[] { "info", "warning", "critical" });
            var source = card.GetProperty("source");
            Assert.False(string.IsNullOrWhiteSpace(source.GetProperty("label").GetString()));
            var topic = source.GetProperty("topic");
            Assert.Contains(topic.GetProperty("system").GetString(), CardTypeSystems);
            Assert.Contains(topic.GetProperty("code").GetString(), CardTypes);
            Assert.NotEqual("coverage-info", topic.GetProperty("code").GetString());
            if (card.TryGetProperty("suggestions", out var suggestions))
            {
                Assert.All(suggestions.EnumerateArray(), s => Assert.True(Guid.TryParse(s.GetProperty("uuid").GetString(), out _)));
            }

            if (card.TryGetProperty("links", out var links))
            {
                Assert.All(links.EnumerateArray(), l => Assert.Contains(l.GetProperty("type").GetString(), new[] { "absolute", "smart" }));
            }
        }
    }

    /// <summary>
    /// Kit rule crd_coverage_info_system_action_across_hooks_validation: each action is an <c>update</c> whose
    /// coverage-information satisfies crd-ci-q1: questionnaire (and response) only with doc-needed; crd-ci-q2: pa-needed whenever covered is not
    /// not-covered; crd-ci-q5: satisfied-pa-id if and only if pa-needed = satisfied. Plus coverage, covered, date and
    /// coverage-assertion-id (1..1 each).
    /// </summary>
    private static void AssertCoverageInformationInvariants(JsonElement answer)
    {
        if (!answer.TryGetProperty("systemActions", out var actions))
        {
            return;
        }

        foreach (var action in actions.EnumerateArray())
        {
            Assert.Equal("update", action.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(action.GetProperty("description").GetString()));
            var informations = action.GetProperty("resource").GetProperty("extension").EnumerateArray()
                .Where(e => e.GetProperty("url").GetString() == CoverageInformationUrl).ToList();
            Assert.NotEmpty(informations);
            foreach (var information in informations)
            {
                var parts = information.GetProperty("extension").EnumerateArray().GroupBy(e => e.GetProperty("url").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
                foreach (var required in new[] { "coverage", "covered", "date", "coverage-assertion-id" })
                {
                    Assert.True(parts.TryGetValue(required, out var found) && found.Count == 1, $"{required} must occur once");
                }

                var covered = parts["covered"][0].GetProperty("valueCode").GetString();
                var paNeeded = parts.TryGetValue("pa-needed", out var pa) ? pa[0].GetProperty("valueCode").GetString() : null;

                Assert.True(!parts.ContainsKey("questionnaire") && !parts.ContainsKey("response") || parts.ContainsKey("doc-needed"), "crd-ci-q1");
                Assert.True(covered == "not-covered" || paNeeded is not null, "crd-ci-q2");
                Assert.True(parts.ContainsKey("satisfied-pa-id") == (paNeeded == "satisfied"), "crd-ci-q5");
            }
        }
    }
}
