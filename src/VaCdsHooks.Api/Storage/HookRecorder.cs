using System.Globalization;
using System.Text;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Coverage;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Storage;

/// <summary>
/// Keeps what CRD section 5.10 asks us to keep (every hook call and our answer) and the assertions later
/// steps read back. Writes go through the group-commit writer so concurrent calls share a commit.
/// </summary>
public sealed partial class HookRecorder(
    IHookRecordWriter writer,
    ICardFeedbackStore feedbackStore,
    TimeProvider time,
    ILogger<HookRecorder> logger)
{
    /// <returns>Whether the exchange and its assertions were stored.</returns>
    public async Task<bool> RecordHookAsync(
        HookCall call,
        EhrClientRegistration? client,
        byte[] requestBody,
        HookOutcome outcome,
        TimeSpan elapsed,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var exchange = new HookExchangeRecord
        {
            ReceivedAt = now - elapsed,
            ServiceId = call.Service.Id,
            Hook = call.Service.Hook,
            HookInstance = call.Request.HookInstance!,
            ClientIssuer = client?.Issuer,
            Tenant = client?.Tenant,
            PatientId = call.PatientId,
            RequestBody = Encoding.UTF8.GetString(requestBody),
            ResponseBody = Encoding.UTF8.GetString(outcome.ResponseJson),
            RecordBundle = outcome.RecordBundle,
            HttpStatus = StatusCodes.Status200OK,
            DurationMs = elapsed.TotalMilliseconds,
        };

        var assertions = outcome.Assertions.Select(a => ToRecord(a, client, call.Request.HookInstance)).ToList();
        try
        {
            // Wait for the commit: a DTR call may ask for the assertion a moment later.
            await writer.WriteAsync(exchange, assertions, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The EHR still gets its answer (see HookProcessor.WithoutDocumentation); the failure to keep it is an operational alarm.
            LogWriteFailed(logger, ex, call.Request.HookInstance, assertions.Count);
            return false;
        }
    }

    public async System.Threading.Tasks.Task RecordFeedbackAsync(
        CdsServiceDefinition service,
        EhrClientRegistration? client,
        IReadOnlyList<CdsFeedback> feedback,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var records = feedback.Select(f => new CardFeedbackRecord
        {
            ReceivedAt = now,
            ServiceId = service.Id,
            ClientIssuer = client?.Issuer ?? "unknown",
            CardUuid = f.Card!,
            Outcome = f.Outcome == "accepted" ? CardFeedbackOutcome.Accepted : CardFeedbackOutcome.Overridden,
            AcceptedSuggestionIds = f.AcceptedSuggestions?.Select(s => s.Id).OfType<string>().ToList() ?? [],
            OverrideReasonSystem = f.OverrideReason?.Reason?.System,
            OverrideReasonCode = f.OverrideReason?.Reason?.Code,
            OverrideReasonDisplay = f.OverrideReason?.Reason?.Display,
            UserComment = f.OverrideReason?.UserComment,
            OutcomeTimestamp = DateTimeOffset.Parse(f.OutcomeTimeStamp!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        }).ToList();

        await feedbackStore.SaveAsync(records, cancellationToken);
    }

    private static CoverageAssertionRecord ToRecord(CoverageAssertion assertion, EhrClientRegistration? client, string? hookInstance) => new()
    {
        AssertionId = assertion.AssertionId,
        CreatedAt = assertion.Date,
        ClientIssuer = client?.Issuer,
        HookInstance = hookInstance,
        PatientReference = assertion.PatientReference,
        OrderReference = assertion.OrderReference,
        CoverageReference = assertion.CoverageReference,
        PolicyVersion = assertion.PolicyVersion,
        Covered = assertion.Covered,
        PaNeeded = assertion.PaNeeded,
        DocNeeded = assertion.DocNeeded,
        SatisfiedPaId = assertion.SatisfiedPaId,
        QuestionnaireCanonical = assertion.QuestionnaireCanonical,
        EvidenceHash = assertion.EvidenceHash,
        Criteria = assertion.Criteria.Select(c => new AssertionCriterionRecord
        {
            CriterionId = c.CriterionId,
            Kind = c.Kind == Coverage.Criteria.CriterionKind.Exclusion ? CriterionKind.Exclusion : CriterionKind.Inclusion,
            Status = c.StatusCode,
            Explanation = c.Explanation,
            EvidenceReferences = c.EvidenceReferences,
            Flags = c.Flags,
        }).ToList(),
    };

    [LoggerMessage(Level = LogLevel.Critical, Message = "Hook {HookInstance}: storing the exchange and {AssertionCount} assertions failed; answered without anything that needs them later")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string? hookInstance, int assertionCount);
}
