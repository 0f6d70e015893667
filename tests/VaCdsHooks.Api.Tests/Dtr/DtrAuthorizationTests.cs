using System.Net;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Testing;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>The service with a second registered EHR: its DTR client must not reach the first EHR's cases.</summary>
public sealed class TwoEhrApiFactory : ApiFactory
{
    public const string OtherIssuer = "https://other-ehr.test.example";

    public TwoEhrApiFactory()
    {
        Settings["CdsHooks:Clients:1:Issuer"] = OtherIssuer;
        Settings["CdsHooks:Clients:1:Jwks"] = OtherTokens.JwksJson;
    }

    public EhrTokenFactory OtherTokens { get; } = new(OtherIssuer);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            OtherTokens.Dispose();
        }
    }
}

/// <summary>DTR spec-120: SMART Backend Services tokens with the DTR scopes, and each EHR sees only its own cases.</summary>
public sealed class DtrAuthorizationTests(TwoEhrApiFactory factory) : IClassFixture<TwoEhrApiFactory>
{
    private readonly DtrFlow _dtr = new(factory);

    private static async Task AssertUnauthorizedOutcomeAsync(HttpResponseMessage response)
    {
        var outcome = await DtrFlow.ReadAsync<OperationOutcome>(response, HttpStatusCode.Unauthorized);
        Assert.NotEmpty(outcome.Issue);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task Package_and_submission_without_a_valid_token_are_401_with_an_operation_outcome(string token)
    {
        using var package = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest("any"), token);
        await AssertUnauthorizedOutcomeAsync(package);
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed }, token);
        await AssertUnauthorizedOutcomeAsync(submitted);
        using var client = await _dtr.ClientAsync(token);
        using var status = await client.GetAsync("/fhir/ClaimResponse?identifier=any");
        await AssertUnauthorizedOutcomeAsync(status);
    }

    [Fact]
    public async Task A_cds_hooks_token_is_not_a_dtr_access_token()
    {
        var hookToken = factory.Tokens.CreateToken(ApiFactory.PublicBaseUrl + "/cds-services/vertebral-augmentation-order-sign");
        using var package = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest("any"), hookToken);
        await AssertUnauthorizedOutcomeAsync(package);
    }

    [Fact]
    public async Task A_token_without_the_response_scope_cannot_submit()
    {
        var readOnly = await factory.DtrAccessTokenAsync("system/Questionnaire.rs");
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed }, readOnly);
        await DtrFlow.ReadAsync<OperationOutcome>(submitted, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_case_status_needs_its_own_scope()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var valueSetsOnly = await factory.DtrAccessTokenAsync("system/ValueSet.rs");
        var statusReader = await factory.DtrAccessTokenAsync("system/ClaimResponse.rs");

        using var refusedClient = await _dtr.ClientAsync(valueSetsOnly);
        using var allowedClient = await _dtr.ClientAsync(statusReader);
        using var refused = await refusedClient.GetAsync("/fhir/ClaimResponse?identifier=" + assertionId);
        using var allowed = await allowedClient.GetAsync("/fhir/ClaimResponse?identifier=" + assertionId);

        await DtrFlow.ReadAsync<OperationOutcome>(refused, HttpStatusCode.Forbidden);
        Assert.NotEqual(HttpStatusCode.Forbidden, allowed.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, allowed.StatusCode);
    }

    [Fact]
    public async Task Metadata_and_smart_configuration_need_no_token()
    {
        using var client = factory.CreateClient();
        using var metadata = await client.GetAsync("/fhir/metadata");
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        using var smart = await client.GetAsync("/.well-known/smart-configuration");
        Assert.Equal(HttpStatusCode.OK, smart.StatusCode);
        Assert.Contains(ApiFactory.PublicBaseUrl + "/auth/token", await smart.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_ehr_cannot_read_package_or_status_of_this_ehrs_assertion()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var other = await factory.DtrAccessTokenAsync(keys: factory.OtherTokens);

        using var package = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest(assertionId), other);
        await DtrFlow.ReadAsync<OperationOutcome>(package, HttpStatusCode.NotFound);

        // Answers to this EHR's questionnaire from the other EHR are not taken (and nothing says whose it is).
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()), other);
        await DtrFlow.ReadAsync<OperationOutcome>(submitted, (HttpStatusCode)422);
        Assert.Null(await _dtr.StatusAsync(assertionId));

        // The owner submits; the other EHR still cannot see the case.
        using var mine = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        var status = await _dtr.DecidedStatusAsync(assertionId);
        using var client = await _dtr.ClientAsync(other);
        using var search = await client.GetAsync("/fhir/ClaimResponse?identifier=" + assertionId);
        Assert.Empty((await DtrFlow.ReadAsync<Bundle>(search)).Entry);
        using var read = await client.GetAsync("/fhir/ClaimResponse/" + status.Id);
        await DtrFlow.ReadAsync<OperationOutcome>(read, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_ehrs_tailored_questionnaire_is_not_found_by_id()
    {
        var (questionnaire, _) = await _dtr.PackageAsync(await _dtr.ConditionalAssertionAsync());
        using var client = await _dtr.ClientAsync(await factory.DtrAccessTokenAsync(keys: factory.OtherTokens));
        using var read = await client.GetAsync("/fhir/Questionnaire/" + questionnaire.Id);
        await DtrFlow.ReadAsync<OperationOutcome>(read, HttpStatusCode.NotFound);
    }
}
