using System.Diagnostics;
using System.Net;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Coverage.Documentation;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>
/// What DTR returns is valid FHIR R4 (the base specification, validated with the Firely validator), and what it takes
/// in is validated the same way at intake. IG profiles are not available offline; their rules are checked by hand in
/// the other DTR tests (fhir-resources/README.md lists them).
/// </summary>
public sealed class DtrBaseSpecificationTests(ApiFactory factory, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    private readonly DtrFlow _dtr = new(factory);

    private BaseSpecificationValidator Validator => factory.Service<BaseSpecificationValidator>();

    [Fact]
    public async Task Package_bundle_its_questionnaire_and_draft_response_have_no_base_specification_errors()
    {
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest(await _dtr.ConditionalAssertionAsync()));
        var parameters = await DtrFlow.ReadAsync<Parameters>(response);
        AssertValid(parameters);
        var bundle = Assert.IsType<Bundle>(parameters.Parameter.Single(p => p.Name == DtrCodes.PackageBundleParameter).Resource);
        AssertValid(bundle);
        Assert.All(bundle.Entry.Select(e => e.Resource!), AssertValid);
    }

    [Fact]
    public async Task Untailored_package_for_the_canonical_has_no_base_specification_errors()
    {
        var parameters = DtrFlow.PackageRequest(null);
        parameters.Add("questionnaire", new Canonical("http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation"));
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        AssertValid(output);
        var bundle = Assert.IsType<Bundle>(output.Parameter.Single(p => p.Name == DtrCodes.PackageBundleParameter).Resource);
        Assert.All(bundle.Entry.Select(e => e.Resource!), AssertValid);
    }

    [Fact]
    public async Task Adaptive_package_has_no_base_specification_errors()
    {
        var parameters = DtrFlow.PackageRequest(await _dtr.ConditionalAssertionAsync());
        parameters.Add("questionnaire", new Canonical("http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation-adaptive"));
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        var bundle = Assert.IsType<Bundle>(output.Parameter.Single(p => p.Name == DtrCodes.PackageBundleParameter).Resource);
        AssertValid(bundle);
        Assert.All(bundle.Entry.Select(e => e.Resource!), AssertValid);
    }

    [Fact]
    public async Task Master_questionnaire_as_served_has_no_base_specification_errors()
    {
        using var client = await _dtr.ClientAsync();
        using var read = await client.GetAsync("/fhir/Questionnaire/vertebral-augmentation-documentation");
        AssertValid(await DtrFlow.ReadAsync<Questionnaire>(read));
    }

    [Fact]
    public async Task Capability_statement_has_no_base_specification_errors()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/fhir/metadata");
        AssertValid(await DtrFlow.ReadAsync<CapabilityStatement>(response));
    }

    [Fact]
    public async Task Claim_response_of_a_decided_case_has_no_base_specification_errors()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        AssertValid(await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory));
        AssertValid(await _dtr.DecidedStatusAsync(assertionId));
    }

    [Fact]
    public async Task Response_breaking_the_base_specification_is_refused_with_the_validators_issues()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());

        // qrs-1: an item holds nested items or answers carrying them, never both.
        var item = response.Item[0].Item[0];
        item.Answer[0].Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = "nested", Text = "nested" });
        response.Item[0].Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = "broken", Answer = [new() { Value = new FhirString("x") }], Item = [new() { LinkId = "child" }] });

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        var outcome = await DtrFlow.ReadAsync<OperationOutcome>(submitted, HttpStatusCode.UnprocessableEntity);
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && (i.Details?.Text ?? i.Diagnostics ?? "").Contains("qrs-1", StringComparison.Ordinal));
        Assert.Null(await _dtr.StatusAsync(assertionId));
    }

    [Fact]
    public async Task Validation_cost_is_measured_after_warm_up()
    {
        var warmUp = Validator.WarmUp();
        var (questionnaire, draft) = await _dtr.PackageAsync(await _dtr.ConditionalAssertionAsync());
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        const int Runs = 20;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Runs; i++)
        {
            Assert.Empty(BaseSpecificationValidator.Errors(Validator.Validate(response)));
        }

        output.WriteLine($"warm-up (already warm: {warmUp.TotalMilliseconds:F1} ms); per response: {clock.Elapsed.TotalMilliseconds / Runs:F2} ms");
    }

    private void AssertValid(Resource resource)
    {
        var errors = BaseSpecificationValidator.Errors(Validator.Validate(resource));
        Assert.True(errors.Count == 0, $"{resource.TypeName}/{resource.Id}: " + string.Join("\n", errors.Select(e => $"{string.Join(",", e.Expression)} {e.Details?.Text ?? e.Diagnostics}")));
    }
}
