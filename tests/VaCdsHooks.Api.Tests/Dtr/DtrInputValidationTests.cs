using System.Net;
using System.Text;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>Bad DTR input gets an OperationOutcome that names the problem, never a 500.</summary>
public sealed class DtrInputValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly DtrFlow _dtr = new(factory);

    private static async Task<OperationOutcome> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var outcome = await DtrFlow.ReadAsync<OperationOutcome>(response, expected);
        Assert.NotEmpty(outcome.Issue);
        Assert.All(outcome.Issue, i => Assert.False(string.IsNullOrWhiteSpace(i.Diagnostics)));
        return outcome;
    }

    private async Task<HttpResponseMessage> PostRawAsync(string path, string body)
    {
        using var client = await _dtr.ClientAsync();
        return await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/fhir+json"));
    }

    [Fact]
    public async Task Package_without_coverage_is_400_naming_the_parameter()
    {
        var parameters = new Parameters();
        parameters.Add("context", new FhirString("anything"));
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var outcome = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("coverage", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_with_neither_order_questionnaire_nor_context_is_400()
    {
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest(null));
        var outcome = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("dtr-1", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_for_an_unknown_assertion_is_404()
    {
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest("no-such-assertion"));
        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"coverage\",\"resource\":{\"resourceType\":\"Coverage\",\"status\":\"sideways\"}}]}")]
    [InlineData("{\"resourceType\":\"Patient\",\"id\":\"p\"}")]
    public async Task Package_with_a_malformed_body_is_400(string body)
    {
        using var response = await PostRawAsync("/fhir/Questionnaire/$questionnaire-package", body);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Response_with_an_unknown_link_id_is_422_naming_it()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        response.Item[0].Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = "made-up.question", Answer = [new() { Value = new FhirBoolean(true) }] });

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        var outcome = await ProblemAsync(submitted, (HttpStatusCode)422);
        Assert.Contains(outcome.Issue, i => (i.Diagnostics + string.Join(",", i.Expression)).Contains("made-up.question", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Response_with_a_wrongly_typed_answer_is_422()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var answers = DtrFlow.CleanAnswers();
        answers["imaging.cord-compression"] = new FhirString("maybe");

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, answers));
        var outcome = await ProblemAsync(submitted, (HttpStatusCode)422);
        Assert.Contains(outcome.Issue, i => (i.Diagnostics + string.Join(",", i.Expression)).Contains("imaging.cord-compression", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Response_to_a_questionnaire_we_did_not_issue_is_422()
    {
        var response = new QuestionnaireResponse
        {
            Questionnaire = "http://example.org/Questionnaire/someone-elses",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = new ResourceReference("Patient/x"),
        };
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        var outcome = await ProblemAsync(submitted, (HttpStatusCode)422);
        Assert.Contains("QuestionnaireResponse.questionnaire", outcome.Issue[0].Expression);
    }

    [Fact]
    public async Task Response_with_invalid_fhir_is_400_with_the_element_path()
    {
        using var submitted = await PostRawAsync("/fhir/QuestionnaireResponse",
            "{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"done-ish\",\"item\":[{\"linkId\":\"a\",\"answer\":[{\"valueBoolean\":\"yes\"}]}]}");
        var outcome = await ProblemAsync(submitted, HttpStatusCode.BadRequest);
        Assert.Contains(outcome.Issue, i => i.Expression.Any());
    }

    [Fact]
    public async Task Oversized_response_is_413()
    {
        using var submitted = await PostRawAsync("/fhir/QuestionnaireResponse", "{\"resourceType\":\"QuestionnaireResponse\",\"text\":\"" + new string('x', (int)factory.Service<Microsoft.Extensions.Options.IOptions<VaCdsHooks.Api.CdsHooks.CdsServicesOptions>>().Value.MaxRequestBodyBytes + 1) + "\"}");
        await ProblemAsync(submitted, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Status_search_without_identifier_is_400_and_unknown_case_is_404()
    {
        using var client = await _dtr.ClientAsync();
        using var search = await client.GetAsync("/fhir/ClaimResponse");
        await ProblemAsync(search, HttpStatusCode.BadRequest);
        using var read = await client.GetAsync("/fhir/ClaimResponse/unknown-case");
        await ProblemAsync(read, HttpStatusCode.NotFound);
    }
}
