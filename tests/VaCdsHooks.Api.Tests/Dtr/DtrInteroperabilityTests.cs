using System.Net;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Storage;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>
/// What a DTR client finds where the IG says it will: the canonical CRD sends is the Questionnaire the package,
/// the draft and the read endpoints serve (DTR 2.0.1 specification.html#questionnaire-package-operation; the DTR
/// test kit matches a response to its Questionnaire by <c>q.url == qr.questionnaire</c>), answer lists that render
/// without a terminology server, <c>ValueSet/$expand</c>, and responses to any open assertion of the order.
/// </summary>
public sealed class DtrInteroperabilityTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Canonical = "http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation";
    private const string Activities = "http://vacdshooks.example.org/fhir/ValueSet/activities-of-daily-living";

    private readonly DtrFlow _dtr = new(factory);

    [Fact]
    public async Task Coverage_information_canonical_is_the_url_of_the_package_questionnaire_kit_rule_q_url_equals_qr_questionnaire()
    {
        var information = await _dtr.OrderSignAsync(Charts.Conditional);
        var canonical = information["questionnaire"].GetProperty("valueCanonical").GetString();
        var assertionId = information["coverage-assertion-id"].GetProperty("valueString").GetString()!;

        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        Assert.Equal(canonical, questionnaire.Url);
        Assert.Equal(questionnaire.Url + "|" + questionnaire.Version, draft.Questionnaire);
        Assert.Contains(questionnaire.Identifier, i => i.Value == assertionId);
    }

    [Fact]
    public async Task Package_questionnaire_is_read_by_its_id_and_found_by_url_with_its_version()
    {
        var (questionnaire, draft) = await _dtr.PackageAsync(await _dtr.ConditionalAssertionAsync());
        using var client = await _dtr.ClientAsync();

        using var read = await client.GetAsync("/fhir/Questionnaire/" + questionnaire.Id);
        var byId = await DtrFlow.ReadAsync<Questionnaire>(read);
        Assert.Equal((questionnaire.Url, questionnaire.Version), (byId.Url, byId.Version));

        using var search = await client.GetAsync("/fhir/Questionnaire?url=" + Uri.EscapeDataString(draft.Questionnaire!));
        var found = Assert.IsType<Questionnaire>(Assert.Single((await DtrFlow.ReadAsync<Bundle>(search)).Entry).Resource);
        Assert.Equal(questionnaire.Version, found.Version);
        Assert.Equal(Serialize(questionnaire), Serialize(found));

        // The bare canonical is the master (what CRD names when no version is pinned).
        using var bare = await client.GetAsync("/fhir/Questionnaire?url=" + Uri.EscapeDataString(Canonical));
        var master = Assert.IsType<Questionnaire>(Assert.Single((await DtrFlow.ReadAsync<Bundle>(bare)).Entry).Resource);
        Assert.Equal(Canonical, master.Url);
    }

    [Fact]
    public async Task Package_for_the_canonical_and_a_coverage_without_context_returns_the_questionnaire_it_names()
    {
        var parameters = DtrFlow.PackageRequest(null);
        parameters.Add("questionnaire", new Canonical(Canonical));

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        var bundle = Assert.IsType<Bundle>(Assert.Single(output.Parameter, p => p.Name == DtrCodes.PackageBundleParameter).Resource);
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        Assert.Equal(Canonical, questionnaire.Url);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        Assert.Equal(questionnaire.Url + "|" + questionnaire.Version, draft.Questionnaire);
        Assert.Contains(draft.Extension, e => e.Url == DtrCodes.QrContextUrl && e.Value is ResourceReference { Reference: var r } && r!.StartsWith("Coverage/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Package_for_the_drafts_versioned_canonical_serves_that_assertions_questionnaire()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (_, draft) = await _dtr.PackageAsync(assertionId);
        var parameters = DtrFlow.PackageRequest(null);
        parameters.Add("questionnaire", new Canonical(draft.Questionnaire));

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var bundle = Assert.IsType<Bundle>((await DtrFlow.ReadAsync<Parameters>(response)).Parameter.Single().Resource);
        Assert.Contains(Assert.IsType<Questionnaire>(bundle.Entry[0].Resource).Identifier, i => i.Value == assertionId);
    }

    [Fact]
    public async Task Package_with_another_coverage_than_the_assertions_is_refused_naming_it()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var parameters = DtrFlow.PackageRequest(assertionId);
        Assert.IsType<Hl7.Fhir.Model.Coverage>(parameters.Parameter.Single(p => p.Name == "coverage").Resource).Id = "someone-elses-coverage";

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var outcome = await DtrFlow.ReadAsync<OperationOutcome>(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Coverage/someone-elses-coverage", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_unchanged_since_changedsince_is_not_sent_again()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var parameters = DtrFlow.PackageRequest(assertionId);
        parameters.Add("changedsince", new Instant(DateTimeOffset.UtcNow.AddMinutes(1)));

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        Assert.DoesNotContain(output.Parameter, p => p.Name == DtrCodes.PackageBundleParameter);
        Assert.Contains(output.Parameter, p => p.Resource is OperationOutcome);

        var earlier = DtrFlow.PackageRequest(assertionId);
        earlier.Add("changedsince", new Instant(DateTimeOffset.UtcNow.AddDays(-1)));
        using var changed = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", earlier);
        Assert.Contains((await DtrFlow.ReadAsync<Parameters>(changed)).Parameter, p => p.Name == DtrCodes.PackageBundleParameter);
    }

    [Fact]
    public async Task Package_questionnaire_renders_without_a_terminology_server()
    {
        var (questionnaire, _) = await _dtr.PackageAsync(await _dtr.ConditionalAssertionAsync());
        var choices = questionnaire.Item.SelectMany(g => g.Item).Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice).ToList();
        Assert.NotEmpty(choices);
        Assert.All(choices, c => Assert.True(c.AnswerOption.Count > 0 && c.AnswerValueSet is null, c.LinkId));
        Assert.NotNull(questionnaire.Text?.Div);
    }

    [Fact]
    public async Task Value_set_expand_answers_by_url_by_post_and_by_id()
    {
        using var client = await _dtr.ClientAsync();
        using var byUrl = await client.GetAsync("/fhir/ValueSet/$expand?url=" + Uri.EscapeDataString(Activities));
        var expanded = await DtrFlow.ReadAsync<ValueSet>(byUrl);
        Assert.Contains(expanded.Expansion!.Contains, c => c.Code == "adl-walking");

        var parameters = new Parameters();
        parameters.Add("url", new FhirUri(Activities));
        using var byPost = await client.PostAsync("/fhir/ValueSet/$expand", DtrFlow.Content(parameters));
        Assert.Equal(expanded.Expansion.Total, (await DtrFlow.ReadAsync<ValueSet>(byPost)).Expansion!.Total);

        using var byId = await client.GetAsync("/fhir/ValueSet/activities-of-daily-living/$expand");
        Assert.Equal(Activities, (await DtrFlow.ReadAsync<ValueSet>(byId)).Url);

        using var read = await client.GetAsync("/fhir/ValueSet/activities-of-daily-living");
        Assert.Null((await DtrFlow.ReadAsync<ValueSet>(read)).Expansion);

        using var unknown = await client.GetAsync("/fhir/ValueSet/$expand?url=" + Uri.EscapeDataString("http://example.org/ValueSet/nope"));
        await DtrFlow.ReadAsync<OperationOutcome>(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Metadata_declares_value_set_expand_as_the_dtr_payer_capability_statement_requires()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/fhir/metadata");
        var capability = await DtrFlow.ReadAsync<CapabilityStatement>(response);
        var valueSet = Assert.Single(capability.Rest[0].Resource, r => r.Type == "ValueSet");
        Assert.Contains(valueSet.Operation, o => o.Name == "expand" && o.Definition == "http://hl7.org/fhir/OperationDefinition/ValueSet-expand");
    }

    [Fact]
    public async Task Response_naming_the_bare_canonical_is_accepted()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        response.Questionnaire = questionnaire.Url;

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created);
        Assert.Equal("approved", DtrFlow.CaseStatus(await _dtr.DecidedStatusAsync(assertionId)));
    }

    [Fact]
    public async Task Response_to_an_assertion_superseded_by_a_re_sign_while_documenting_is_accepted()
    {
        var first = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(first);
        var second = await _dtr.ConditionalAssertionAsync();
        Assert.NotEqual(first, second);

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);
        Assert.Equal("approved", DtrFlow.CaseStatus(await _dtr.DecidedStatusAsync(first)));
    }

    /// <summary>The EHR calls order-select for the chart's order (full prefetch).</summary>
    private async System.Threading.Tasks.Task OrderSelectAsync()
    {
        using var select = await factory.PostHookAsync("vertebral-augmentation-order-select", VaCdsHooks.DemoEhr.DemoHookRequest.Build(_dtr.Chart(), "order-select", prefetch: true).ToJsonString());
        Assert.Equal(HttpStatusCode.OK, select.StatusCode);
    }

    [Fact]
    public async Task Response_after_an_order_select_for_the_same_order_is_accepted()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        await OrderSelectAsync();

        var order = _dtr.Chart().OfType<ServiceRequest>().Single();
        var latest = await factory.Service<ICoverageAssertionStore>().FindLatestForOrderAsync("Patient/" + order.Subject!.Reference!.Split('/')[1], "ServiceRequest/" + order.Id);
        Assert.NotEqual(assertionId, latest!.AssertionId);

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);
    }

    [Fact]
    public async Task Response_naming_only_the_canonical_after_an_order_select_that_asked_nothing_joins_the_assertion_that_asked()
    {
        // DTR clients may name the Questionnaire by url alone; the order in qr-context then leads to the assertion.
        // A later order-select answered without asking for documentation must not take the answers away from it.
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        await OrderSelectAsync();

        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        response.Questionnaire = questionnaire.Url;
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);
        Assert.Equal("approved", DtrFlow.CaseStatus(await _dtr.DecidedStatusAsync(assertionId)));
    }

    [Fact]
    public async Task A_pended_case_reopens_its_own_questionnaire_when_the_order_is_signed_again()
    {
        var assertionId = await _dtr.PendedForMoreInformationAsync();
        var pended = (await _dtr.StatusAsync(assertionId))!;

        // The EHR signs the order again (a new assertion), then its DTR app asks by order.
        var again = await _dtr.OrderSignAsync(Charts.Conditional);
        Assert.NotEqual(assertionId, again["coverage-assertion-id"].GetProperty("valueString").GetString());
        var parameters = DtrFlow.PackageRequest(null);
        parameters.Add("order", _dtr.Chart().OfType<ServiceRequest>().Single());
        using var package = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var bundle = Assert.IsType<Bundle>((await DtrFlow.ReadAsync<Parameters>(package)).Parameter.Single().Resource);
        var reopened = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        Assert.Contains(reopened.Identifier, i => i.Value == assertionId);

        // Answers to the reopened questionnaire, naming only the canonical, join the pended case.
        var redraft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        var response = DtrFlow.Complete(reopened, redraft, DtrFlow.CleanAnswers());
        response.Questionnaire = reopened.Url;
        using var second = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        await DtrFlow.ReadAsync<QuestionnaireResponse>(second, HttpStatusCode.Created, factory);
        var decided = await _dtr.DecidedStatusAsync(assertionId);
        Assert.Equal(pended.Id, decided.Id);
        Assert.Equal(2, (await factory.Service<IQuestionnaireResponseStore>().ListForCaseAsync(decided.Id!)).Count);
    }

    [Fact]
    public async Task Xml_bodies_are_unsupported_media_type()
    {
        using var client = await _dtr.ClientAsync();
        using var content = new StringContent("<Parameters xmlns=\"http://hl7.org/fhir\"/>", Encoding.UTF8, "application/fhir+xml");
        using var package = await client.PostAsync("/fhir/Questionnaire/$questionnaire-package", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, package.StatusCode);
        await DtrFlow.ReadAsync<OperationOutcome>(package, HttpStatusCode.UnsupportedMediaType);

        using var responseContent = new StringContent("<QuestionnaireResponse xmlns=\"http://hl7.org/fhir\"/>", Encoding.UTF8, "application/xml");
        using var response = await client.PostAsync("/fhir/QuestionnaireResponse", responseContent);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Response_without_information_origin_is_accepted()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        foreach (var (_, answer) in QuestionnaireResponseReader.Answered(response.Item))
        {
            answer.Extension.Clear();
        }

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);
    }

    [Fact]
    public async Task Package_asked_for_the_adaptive_canonical_carries_the_adaptive_form_ready_for_next_question()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var parameters = DtrFlow.PackageRequest(assertionId);
        parameters.Add("questionnaire", new Canonical(Canonical + "-adaptive"));

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var bundle = Assert.IsType<Bundle>((await DtrFlow.ReadAsync<Parameters>(response)).Parameter.Single().Resource);
        var adaptive = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);

        // SDC sdc-questionnaire-adapt: url 0..0; the form names the tailoring it derives from instead.
        Assert.Null(adaptive.Url);
        Assert.StartsWith(Canonical + "|", Assert.Single(adaptive.DerivedFrom), StringComparison.Ordinal);
        Assert.True(adaptive.GetExtensionValue<FhirBoolean>(DtrCodes.SdcAdaptiveExtensionUrl)?.Value);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        Assert.Equal("#" + adaptive.Id, draft.Questionnaire);

        var next = new Parameters();
        next.Add("questionnaire-response", draft);
        using var first = await _dtr.PostAsync("/fhir/Questionnaire/$next-question", next);
        var answered = await DtrFlow.ReadAsync<QuestionnaireResponse>(first);
        Assert.Equal(adaptive.Item[0].LinkId, Assert.Single(answered.Contained.OfType<Questionnaire>()).Item[0].LinkId);
    }

    private static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, resource.GetType(), DtrFlow.Json);
}
