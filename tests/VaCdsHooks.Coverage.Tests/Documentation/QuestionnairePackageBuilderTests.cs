using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Validation;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

/// <summary>Checks the shapes of DTR 2.0.1 (davinci-dtr STU2 OperationDefinition-Questionnaire-questionnaire-package, StructureDefinition-dtr-questionnaireresponse).</summary>
public class QuestionnairePackageBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static Chart Conditional() => Chart.CoveredThoracicFracture().Without("Observation/odi").Without("ImagingStudy/mri").Imaging("DX", "2026-10-02", id: "xray");

    private static (Bundle Bundle, CoverageAssertion Assertion) Package(DocumentationSettings? settings = null)
    {
        var chart = Conditional();
        var assertion = Dtr.Assertion(chart);
        var tailored = Dtr.Builder.Build(assertion, chart.Record());
        var bundle = new QuestionnairePackageBuilder(TestPolicy.Default, settings ?? DocumentationSettings.Default, Dtr.Master.Libraries).Build(tailored, assertion, Now);
        return (Dtr.RoundTrip(bundle), assertion);
    }

    [Fact]
    public void Package_is_a_collection_with_the_questionnaire_first_and_one_draft_response_last()
    {
        var (bundle, _) = Package();
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        Assert.IsType<QuestionnaireResponse>(bundle.Entry[^1].Resource);
        Assert.Single(bundle.Entry, e => e.Resource is QuestionnaireResponse);
        Assert.Empty(bundle.Validate());
    }

    // DTR: the package SHALL hold every Library the Questionnaire references, with both CQL and ELM.
    [Fact]
    public void Package_holds_the_library_the_questionnaire_names_with_cql_and_elm()
    {
        var (bundle, _) = Package();
        var questionnaire = (Questionnaire)bundle.Entry[0].Resource!;
        var named = Assert.IsType<Canonical>(questionnaire.GetExtension(DtrCodes.CqfLibraryUrl)!.Value).Value!;
        var library = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<Library>());
        Assert.Equal(named, library.Url);
        Assert.Equal("1.0.0", library.Version);
        Assert.Equal(["application/elm+json", "text/cql"], library.Content.Select(c => c.ContentType).Order(StringComparer.Ordinal));

        // A DTR app executes the CQL with no terminology server: the ValueSets the Library depends on travel too.
        var dependencies = library.RelatedArtifact.Where(a => a.Type == RelatedArtifact.RelatedArtifactType.DependsOn && a.Resource!.Contains("/ValueSet/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dependencies);
        var shipped = bundle.Entry.Select(e => e.Resource).OfType<ValueSet>().Select(v => v.Url).ToHashSet(StringComparer.Ordinal);
        Assert.All(dependencies, a => Assert.Contains(a.Resource!.Split('|')[0], shipped));
    }

    [Fact]
    public void Short_answer_lists_are_inline_answer_options_so_the_form_renders_without_a_terminology_server()
    {
        // LHC-Forms could not load ValueSet/... from our endpoint: a list under 40 codes now travels as answerOption.
        var (bundle, _) = Package();
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var modality = questionnaire.Item.SelectMany(g => g.Item).Single(i => i.LinkId == "imaging.modality");
        Assert.Null(modality.AnswerValueSet);
        Assert.Equal(["CR", "CT", "DX", "MR", "NM", "RF"], modality.AnswerOption.Select(o => Assert.IsType<Coding>(o.Value).Code).Order(StringComparer.Ordinal).ToList());
        Assert.All(modality.AnswerOption, o => Assert.False(string.IsNullOrEmpty(((Coding)o.Value).Display)));

        // Any longer list stays a version-specific answerValueSet that travels in the package.
        var referenced = questionnaire.Item.SelectMany(g => g.Item).Select(i => i.AnswerValueSet).OfType<string>().ToList();
        var valueSets = bundle.Entry.Select(e => e.Resource).OfType<ValueSet>().ToList();
        Assert.All(referenced, canonical => Assert.Contains(valueSets, v => v.Url + "|" + v.Version == canonical));
    }

    [Fact]
    public void Draft_response_names_questionnaire_patient_coverage_order_and_intended_use()
    {
        var (bundle, assertion) = Package();
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var draft = Assert.IsType<QuestionnaireResponse>(bundle.Entry[^1].Resource);
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, draft.Status);
        Assert.Equal(questionnaire.Url + "|" + questionnaire.Version, draft.Questionnaire);
        Assert.Equal("Patient/" + Chart.PatientId, draft.Subject!.Reference);
        Assert.Contains(DtrCodes.QuestionnaireResponseProfile, draft.Meta!.Profile);
        var contexts = draft.Extension.Where(e => e.Url == DtrCodes.QrContextUrl).Select(e => Assert.IsType<ResourceReference>(e.Value)).ToList();
        Assert.Equal(2, contexts.Count);
        Assert.Contains(contexts, c => c.Reference == assertion.CoverageReference && c.Type == "Coverage");
        Assert.Contains(contexts, c => c.Reference == assertion.OrderReference && c.Type == "ServiceRequest");
        Assert.Single(draft.Extension, e => e.Url == DtrCodes.IntendedUseUrl);
    }

    [Fact]
    public void Held_evidence_is_pre_filled_with_information_origin_auto_and_no_author()
    {
        var (bundle, _) = Package();
        var draft = Assert.IsType<QuestionnaireResponse>(bundle.Entry[^1].Resource);
        var answers = draft.Item.SelectMany(g => g.Item).ToDictionary(i => i.LinkId!, i => Assert.Single(i.Answer));
        Assert.Equal(7m, Assert.IsType<FhirDecimal>(answers["pain.severity"].Value).Value);
        Assert.Equal("DX", Assert.IsType<Coding>(answers["imaging.modality"].Value).Code);
        Assert.Equal("2026-10-02", Assert.IsType<Date>(answers["imaging.date"].Value).Value);
        Assert.All(answers.Values, a =>
        {
            var origin = Assert.Single(a.Extension, e => e.Url == DtrCodes.InformationOriginUrl);
            Assert.Equal("auto", Assert.IsType<Code>(origin.GetExtension("source")!.Value).Value);
            Assert.Null(origin.GetExtension("author"));
        });
    }

    [Fact]
    public void Dtr_2_2_setting_marks_payer_answers_auto_server_and_names_the_coverage_in_qr_coverage()
    {
        var (bundle, assertion) = Package(new DocumentationSettings { DtrVersion = "2.2.0" });
        var draft = Assert.IsType<QuestionnaireResponse>(bundle.Entry[^1].Resource);
        var origin = draft.Item.SelectMany(g => g.Item).First().Answer[0].GetExtension(DtrCodes.InformationOriginUrl)!;
        Assert.Equal("auto-server", Assert.IsType<Code>(origin.GetExtension("source")!.Value).Value);
        Assert.Equal(assertion.CoverageReference, Assert.IsType<ResourceReference>(draft.GetExtension(DtrCodes.QrCoverageUrl)!.Value).Reference);
    }

    [Fact]
    public void Same_assertion_gives_the_same_package()
    {
        var chart = Conditional();
        var assertion = Dtr.Assertion(chart);
        var builder = new QuestionnairePackageBuilder(TestPolicy.Default, DocumentationSettings.Default, Dtr.Master.Libraries);
        var first = builder.Build(Dtr.Builder.Build(assertion, chart.Record()), assertion, Now);
        var second = builder.Build(Dtr.Builder.Build(assertion, chart.Record()), assertion, Now);
        Assert.Equal(Dtr.Serialize(first), Dtr.Serialize(second));
    }

    [Fact]
    public void Output_parameters_carry_one_package_bundle_per_questionnaire_and_an_optional_outcome()
    {
        var (bundle, _) = Package();
        var nothing = Dtr.Tailor(Chart.CoveredThoracicFracture());
        var output = Dtr.RoundTrip(QuestionnairePackageBuilder.Output([bundle], QuestionnairePackageBuilder.NothingToAskOutcome(nothing)));
        Assert.Equal(["PackageBundle", "outcome"], output.Parameter.Select(p => p.Name).ToList());
        Assert.IsType<Bundle>(output.Parameter[0].Resource);
        var issue = Assert.Single(Assert.IsType<OperationOutcome>(output.Parameter[1].Resource).Issue);
        Assert.Contains("no documentation is needed", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Package_has_the_shape_of_the_dtr_kit_example_package()
    {
        var example = JsonSerializer.Deserialize<Bundle>(File.ReadAllText(Path.Combine(Dtr.DtrFixtures, "dinner_questionnaire_package.json")), Dtr.Json)!;
        var (bundle, _) = Package();
        Assert.Equal(example.Type, bundle.Type);
        Assert.Equal(example.Entry[0].Resource!.TypeName, bundle.Entry[0].Resource!.TypeName);
        Assert.All(bundle.Entry, e => Assert.False(string.IsNullOrEmpty(e.FullUrl)));
    }
}
