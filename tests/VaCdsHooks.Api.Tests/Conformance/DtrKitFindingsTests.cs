using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Coverage.Documentation;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Conformance;

/// <summary>
/// Checks of the Da Vinci DTR payer kit (inferno-framework/davinci-dtr-test-kit, DTR 2.0.1 / SDC 3.0.0 profiles)
/// that our packages once failed, applied the way the kit applies them to the three packages: tailored (static),
/// master (a bare canonical, no context) and adaptive.
/// </summary>
public sealed class DtrKitFindingsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Canonical = "http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation";

    private readonly DtrFlow _dtr = new(factory);

    public enum Package
    {
        Tailored,
        Master,
        Adaptive,
    }

    public static TheoryData<Package> Packages() => [Package.Tailored, Package.Master, Package.Adaptive];

    // Kit: dtr_v201_payer_static_form_response_test / payer_server_adaptive_response_validation_test (the HL7 validator:
    // "fullUrl must end with the correct type and id"), which Firely's base validation does not check.
    [Theory]
    [MemberData(nameof(Packages))]
    public async Task Every_http_fullUrl_ends_with_type_and_id_dtr_v201_payer_static_form_response_test(Package kind)
    {
        var bundle = await PackageAsync(kind);
        Assert.All(bundle.Entry.Where(e => !e.FullUrl!.StartsWith("urn:", StringComparison.Ordinal)), e =>
            Assert.EndsWith("/" + e.Resource!.TypeName + "/" + e.Resource.Id, e.FullUrl, StringComparison.Ordinal));
        var library = Assert.Single(bundle.Entry, e => e.Resource is Library);
        Assert.EndsWith("/Library/" + library.Resource!.Id, library.FullUrl, StringComparison.Ordinal);
    }

    // Kit: dtr_v201_payer_static_form_libraries_test, dtr_v201_payer_adaptive_form_libraries_test,
    // dtr_v201_payer_*_form_extensions_test (every cqf-library resolves to a Library in the package).
    [Theory]
    [MemberData(nameof(Packages))]
    public async Task Package_ships_the_library_its_questionnaire_names_with_cql_and_elm_dtr_v201_payer_static_form_libraries_test(Package kind)
    {
        var bundle = await PackageAsync(kind);
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var named = Assert.IsType<Canonical>(questionnaire.GetExtension(DtrCodes.CqfLibraryUrl)!.Value).Value!;
        var library = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<Library>());
        Assert.Equal(library.Url, named); // exactly, as the kit compares
        Assert.Contains(library.Content, c => c.ContentType == "text/cql");
        Assert.Contains(library.Content, c => c.ContentType == "application/elm+json");
    }

    // Kit: payer_server_adaptive_response_validation_test, payer_server_adaptive_response_search_validation_test,
    // payer_server_next_response_validation_test (SDC 3.0.0 sdc-questionnaire-adapt: url 0..0, derivedFrom 1..1,
    // title 1..1, questionnaireAdaptive 1..1, sdc-adapt-1 "contained in a QuestionnaireResponse").
    [Fact]
    public async Task Adaptive_questionnaire_has_no_url_names_its_tailoring_and_claims_each_profile_where_it_holds_payer_server_adaptive_response_validation_test()
    {
        var bundle = await PackageAsync(Package.Adaptive);
        var entry = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        var contained = Assert.Single(draft.Contained.OfType<Questionnaire>());

        foreach (var adaptive in new[] { entry, contained })
        {
            Assert.Null(adaptive.Url);
            Assert.StartsWith(Canonical + "|", Assert.Single(adaptive.DerivedFrom), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(adaptive.Title));
            Assert.True(adaptive.GetExtensionValue<FhirBoolean>(DtrCodes.SdcAdaptiveExtensionUrl)?.Value);
            Assert.Contains(adaptive.Identifier, i => i.System == DtrCodes.AssertionIdentifierSystem);
        }

        // sdc-adapt-1 holds only for the contained copy; the entry on its own claims DTR's search profile.
        Assert.Equal([DtrCodes.SdcAdaptiveQuestionnaireProfile], contained.Meta!.Profile);
        Assert.Equal([DtrCodes.DtrAdaptiveSearchQuestionnaireProfile], entry.Meta!.Profile);
        Assert.Equal("#" + contained.Id, draft.Questionnaire);
    }

    // Kit: dtr_v201_payer_adaptive_form_expressions_test ("Questionnaire must demonstrate prepopulation").
    [Fact]
    public async Task Adaptive_package_holds_the_first_section_with_cql_initial_expressions_and_next_question_continues_from_it_dtr_v201_payer_adaptive_form_expressions_test()
    {
        var bundle = await PackageAsync(Package.Adaptive);
        var adaptive = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var first = Assert.Single(adaptive.Item);
        var expressions = first.Item.Select(i => i.GetExtensionValue<Expression>(DtrCodes.InitialExpressionUrl)).OfType<Expression>().ToList();
        Assert.NotEmpty(expressions);
        Assert.All(expressions, e =>
        {
            Assert.Equal("text/cql", e.Language);
            Assert.StartsWith("\"VertebralAugmentationPrepopulation\".", e.Expression_, StringComparison.Ordinal);
        });

        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        var next = new Parameters();
        next.Add("questionnaire-response", draft);
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$next-question", next);
        var answered = await DtrFlow.ReadAsync<QuestionnaireResponse>(response);
        Assert.Equal(first.LinkId, Assert.Single(answered.Contained.OfType<Questionnaire>()).Item[0].LinkId);
    }

    // Kit: payer_server_adaptive_response_validation_test and payer_server_next_response_validation_test validate every
    // response against its meta.profile: dtr-questionnaireresponse needs item 1..*, qr-context 2..* (Coverage and a
    // request), intendedUse, information-origin on every answer.
    [Theory]
    [MemberData(nameof(Packages))]
    public async Task Draft_claims_dtr_questionnaireresponse_only_when_it_meets_it_payer_server_adaptive_response_validation_test(Package kind)
    {
        var bundle = await PackageAsync(kind);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        var claims = draft.Meta?.Profile?.ToList() ?? [];
        if (claims.Contains(DtrCodes.QuestionnaireResponseProfile))
        {
            Assert.NotEmpty(draft.Item);
            Assert.NotEmpty(draft.GetExtensions(DtrCodes.IntendedUseUrl));
            var context = draft.GetExtensions(DtrCodes.QrContextUrl).Select(e => (e.Value as ResourceReference)?.Reference ?? string.Empty).ToList();
            Assert.Contains(context, r => r.StartsWith("Coverage/", StringComparison.Ordinal));
            Assert.Contains(context, r => !r.StartsWith("Coverage/", StringComparison.Ordinal));
        }

        Assert.Equal(kind == Package.Adaptive, claims.Contains(DtrCodes.SdcAdaptiveResponseProfile));
        if (kind == Package.Master)
        {
            // Not pre-filled and, without an order, one qr-context: the DTR profile cannot hold.
            Assert.DoesNotContain(DtrCodes.QuestionnaireResponseProfile, claims);
        }
    }

    // Kit: payer_server_next_response_validation_test; a client that starts from an empty adaptive form gets back a
    // response that does not claim dtr-questionnaireresponse while it holds no item.
    [Fact]
    public async Task Next_question_answer_without_items_does_not_claim_dtr_questionnaireresponse_payer_server_next_response_validation_test()
    {
        var bundle = await PackageAsync(Package.Adaptive);
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        draft.Item.Clear();
        draft.Meta = new Meta { Profile = [DtrCodes.QuestionnaireResponseProfile] };
        var next = new Parameters();
        next.Add("questionnaire-response", draft);
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$next-question", next);
        var answered = await DtrFlow.ReadAsync<QuestionnaireResponse>(response);
        Assert.Empty(answered.Item);
        Assert.DoesNotContain(DtrCodes.QuestionnaireResponseProfile, answered.Meta!.Profile);
        Assert.Contains(DtrCodes.SdcAdaptiveResponseProfile, answered.Meta.Profile);
    }

    private async Task<Bundle> PackageAsync(Package kind)
    {
        var parameters = DtrFlow.PackageRequest(kind == Package.Master ? null : await _dtr.ConditionalAssertionAsync());
        if (kind != Package.Tailored)
        {
            parameters.Add("questionnaire", new Canonical(kind == Package.Adaptive ? Canonical + "-adaptive" : Canonical));
        }

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        return Assert.IsType<Bundle>(output.Parameter.Single(p => p.Name == DtrCodes.PackageBundleParameter).Resource);
    }
}
