using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Text;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>
/// The documentation round trip through the real endpoints: a conditional order-sign, the package for its assertion,
/// the completed response, the background re-evaluation, and what the EHR sees afterwards.
/// </summary>
public sealed class DtrWorkflowTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly DtrFlow _dtr = new(factory);

    [Fact]
    public async Task Complete_consistent_answers_turn_a_conditional_order_into_an_approved_one()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        var stored = await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created);
        Assert.Equal("QuestionnaireResponse/" + stored.Id, submitted.Headers.Location?.ToString());

        var status = await _dtr.DecidedStatusAsync(assertionId);
        Assert.Equal("approved", DtrFlow.CaseStatus(status));
        Assert.Equal(ClaimProcessingCodes.Complete, status.Outcome);
        Assert.Equal(ClaimUseCode.Preauthorization, status.Use);
        Assert.False(string.IsNullOrEmpty(status.PreAuthRef));
        Assert.NotNull(status.PreAuthPeriod?.End);
        var storedCase = await factory.Service<IPriorAuthCaseStore>().FindAsync(status.Id!);
        Assert.Equal("Osteoporotic vertebral compression fracture", storedCase!.IndicationLabel);

        // The EHR signs the same order again: the approval on file satisfies prior auth with the same number.
        var again = await _dtr.OrderSignAsync(Charts.Conditional);
        Assert.NotEqual(assertionId, again["coverage-assertion-id"].GetProperty("valueString").GetString());
        Assert.Equal("covered", again["covered"].GetProperty("valueCode").GetString());
        Assert.Equal("satisfied", again["pa-needed"].GetProperty("valueCode").GetString());
        Assert.Equal(status.PreAuthRef, again["satisfied-pa-id"].GetProperty("valueString").GetString());
    }

    [Fact]
    public async Task Answers_revealing_an_exclusion_deny_the_case()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var answers = DtrFlow.CleanAnswers();
        answers["imaging.cord-compression"] = new FhirBoolean(true);

        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, answers));
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);

        var status = await _dtr.DecidedStatusAsync(assertionId);
        Assert.Equal("denied", DtrFlow.CaseStatus(status));
        Assert.Null(status.PreAuthRef);
        Assert.Contains("cord compression", status.Disposition, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Answers_contradicting_the_record_go_to_human_review()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);

        // The chart holds a measured pain score; an answer overturning it is a conflict a machine must not settle.
        var answers = DtrFlow.CleanAnswers();
        answers["pain.severity"] = new FhirDecimal(0);
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, answers));
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());

        var status = await _dtr.DecidedStatusAsync(assertionId);
        Assert.Equal("pending-review", DtrFlow.CaseStatus(status));
        Assert.Equal(ClaimProcessingCodes.Queued, status.Outcome);
        Assert.Null(status.PreAuthRef);

        // Signing the order again while a reviewer has it: still conditional, but no second questionnaire.
        var again = await _dtr.OrderSignAsync(Charts.Conditional);
        Assert.Equal("conditional", again["covered"].GetProperty("valueCode").GetString());
        Assert.False(again.ContainsKey("doc-needed"));
        Assert.False(again.ContainsKey("questionnaire"));
        Assert.Equal("documentation-under-review", again["reason"].GetProperty("valueCodeableConcept").GetProperty("coding")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_case_pended_for_more_information_takes_new_answers_and_is_decided_again()
    {
        var assertionId = await _dtr.PendedForMoreInformationAsync();
        Assert.Equal("more-information-requested", DtrFlow.CaseStatus((await _dtr.StatusAsync(assertionId))!));

        // The DTR app fetches the questionnaire again and answers consistently this time.
        var (again, redraft) = await _dtr.PackageAsync(assertionId);
        using var second = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(again, redraft, DtrFlow.CleanAnswers()));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var decided = await _dtr.DecidedStatusAsync(assertionId);
        Assert.Equal("approved", DtrFlow.CaseStatus(decided));
        Assert.Equal(2, (await factory.Service<IQuestionnaireResponseStore>().ListForCaseAsync(decided.Id!)).Count);
    }

    [Fact]
    public async Task Resubmitting_the_same_response_is_idempotent()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());

        using var first = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        var stored = await DtrFlow.ReadAsync<QuestionnaireResponse>(first, HttpStatusCode.Created);
        using var second = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);
        var again = await DtrFlow.ReadAsync<QuestionnaireResponse>(second, HttpStatusCode.OK);

        Assert.Equal(stored.Id, again.Id);
        var status = await _dtr.DecidedStatusAsync(assertionId);
        Assert.Equal("approved", DtrFlow.CaseStatus(status));
        var responses = await factory.Service<IQuestionnaireResponseStore>().ListForCaseAsync(status.Id!);
        Assert.Single(responses);
    }

    [Fact]
    public async Task A_response_stored_but_never_processed_is_picked_up_at_start()
    {
        // The crash window: the response is durable, the job was never enqueued (in-memory jobs die with the process).
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        await StoreWithoutQueuingAsync(assertionId, System.Text.Json.JsonSerializer.Serialize(response, DtrFlow.Json));
        Assert.Equal("processing", DtrFlow.CaseStatus((await _dtr.StatusAsync(assertionId))!));

        // What start-up does after a restart.
        var recovery = factory.Services.GetServices<IHostedService>().OfType<VaCdsHooks.Api.Dtr.DocumentationJobRecovery>().Single();
        await recovery.StartAsync(CancellationToken.None);

        Assert.Equal("approved", DtrFlow.CaseStatus(await _dtr.DecidedStatusAsync(assertionId)));
    }

    [Fact]
    public async Task A_response_stored_but_never_queued_is_queued_again_when_the_client_resends_it()
    {
        // The crash window again, on an instance that keeps running (so no start-up recovery): the response is
        // stored, its job never queued, and the DTR app, which got no answer, sends the same response again.
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        var response = DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers());
        // Stored in the service's canonical form, so the resend is recognised as the same response.
        var saved = await StoreWithoutQueuingAsync(assertionId, System.Text.Json.JsonSerializer.Serialize(response, VaCdsHooks.Api.Dtr.FhirResult.Json));
        Assert.Equal("processing", DtrFlow.CaseStatus((await _dtr.StatusAsync(assertionId))!));

        using var again = await _dtr.PostAsync("/fhir/QuestionnaireResponse", response);

        // The same stored response (200, not a new one), and now decided.
        Assert.Equal(saved.Response.Id, (await DtrFlow.ReadAsync<QuestionnaireResponse>(again, HttpStatusCode.OK)).Id);
        Assert.Equal("approved", DtrFlow.CaseStatus(await _dtr.DecidedStatusAsync(assertionId)));
    }

    /// <summary>What the crash window leaves: the case and the stored response, with no job queued for it.</summary>
    private async Task<QuestionnaireResponseSaveResult> StoreWithoutQueuingAsync(string assertionId, string json)
    {
        var assertion = await factory.Service<ICoverageAssertionStore>().FindAsync(assertionId);
        var now = DateTimeOffset.UtcNow;
        var created = await factory.Service<IPriorAuthCaseStore>().CreateIfAbsentAsync(new PriorAuthCaseRecord
        {
            AssertionId = assertionId,
            PatientReference = assertion!.PatientReference,
            OrderReference = assertion.OrderReference,
            CreatedAt = now,
            UpdatedAt = now,
            Status = PriorAuthCaseStatus.AwaitingDocumentation,
        }, "test");
        return await factory.Service<IQuestionnaireResponseStore>().SaveReceivedAsync(new QuestionnaireResponseRecord
        {
            CaseId = created.Case.CaseId,
            AssertionId = assertionId,
            ReceivedAt = now,
            ClientId = ApiFactory.Issuer,
            ContentHash = QuestionnaireResponseContentHash.Compute(json),
            ResourceJson = json,
        });
    }

    [Fact]
    public async Task Package_names_the_order_instead_of_the_context_and_finds_the_latest_assertion()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var order = _dtr.Chart().OfType<ServiceRequest>().Single();
        var parameters = DtrFlow.PackageRequest(null);
        parameters.Add("order", order);

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", parameters);
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        var bundle = Assert.IsType<Bundle>(output.Parameter.Single().Resource);
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        Assert.Contains(questionnaire.Identifier, i => i.Value == assertionId);
    }

    [Fact]
    public async Task Package_bundle_holds_the_questionnaire_first_its_value_sets_and_a_prefilled_draft()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$questionnaire-package", DtrFlow.PackageRequest(assertionId));
        var output = await DtrFlow.ReadAsync<Parameters>(response);
        var bundle = Assert.IsType<Bundle>(output.Parameter.Single().Resource);

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var questionnaire = Assert.IsType<Questionnaire>(bundle.Entry[0].Resource);
        var valueSets = bundle.Entry.Select(e => e.Resource).OfType<ValueSet>().Select(v => v.Url).ToHashSet();
        var needed = questionnaire.Item.SelectMany(g => g.Item).Select(i => i.AnswerValueSet).OfType<string>().ToList();
        Assert.All(needed, url => Assert.Contains(url, valueSets));
        var draft = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Single();
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, draft.Status);
        Assert.StartsWith(questionnaire.Url, draft.Questionnaire, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_question_serves_the_adaptive_form_one_section_at_a_time()
    {
        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, _) = await _dtr.PackageAsync(assertionId);
        var shell = VaCdsHooks.Coverage.Documentation.NextQuestionEngine.AdaptiveShell(questionnaire);
        shell.Id = "adaptive";
        var start = new QuestionnaireResponse
        {
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Questionnaire = "#adaptive",
            Subject = new ResourceReference("Patient/demo-conditional"),
            Contained = [shell],
        };
        var parameters = new Parameters();
        parameters.Add("questionnaire-response", start);

        using var response = await _dtr.PostAsync("/fhir/Questionnaire/$next-question", parameters);
        var next = await DtrFlow.ReadAsync<QuestionnaireResponse>(response);
        var contained = Assert.Single(next.Contained.OfType<Questionnaire>());
        Assert.Equal(questionnaire.Item[0].LinkId, Assert.Single(contained.Item).LinkId);

        using var empty = await _dtr.PostAsync("/fhir/Questionnaire/$next-question", new Parameters());
        await DtrFlow.ReadAsync<OperationOutcome>(empty, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Questionnaire_is_read_by_id_and_resolved_by_canonical_url()
    {
        using var client = await _dtr.ClientAsync();
        using var search = await client.GetAsync("/fhir/Questionnaire?url=" + Uri.EscapeDataString("http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation"));
        var bundle = await DtrFlow.ReadAsync<Bundle>(search);
        var master = Assert.IsType<Questionnaire>(Assert.Single(bundle.Entry).Resource);

        using var read = await client.GetAsync("/fhir/Questionnaire/" + master.Id);
        Assert.Equal(master.Url, (await DtrFlow.ReadAsync<Questionnaire>(read)).Url);

        using var unknown = await client.GetAsync("/fhir/Questionnaire/nope");
        await DtrFlow.ReadAsync<OperationOutcome>(unknown, HttpStatusCode.NotFound);

        using var other = await client.GetAsync("/fhir/Questionnaire?url=" + Uri.EscapeDataString("http://example.org/Questionnaire/other"));
        Assert.Empty((await DtrFlow.ReadAsync<Bundle>(other)).Entry);
    }

    [Fact]
    public async Task Metadata_declares_the_dtr_operations_and_smart_security()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/fhir/metadata");
        var capability = await DtrFlow.ReadAsync<CapabilityStatement>(response);

        Assert.Equal(FHIRVersion.N4_0_1, capability.FhirVersion);
        var rest = Assert.Single(capability.Rest);
        var questionnaire = rest.Resource.Single(r => r.Type == "Questionnaire");
        Assert.Contains(questionnaire.Operation, o => o.Definition == "http://hl7.org/fhir/us/davinci-dtr/OperationDefinition/questionnaire-package");
        Assert.Contains(rest.Resource, r => r.Type == "QuestionnaireResponse" && r.Interaction.Any(i => i.Code == CapabilityStatement.TypeRestfulInteraction.Create));
        Assert.Contains(rest.Security!.Service, s => s.Coding.Any(c => c.Code == "SMART-on-FHIR"));
    }
}
