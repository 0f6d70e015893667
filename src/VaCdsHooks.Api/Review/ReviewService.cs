using System.Security.Claims;
using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>Who is asking: the signed-in staff user and where from (for the audit log).</summary>
public sealed record StaffActor(ClaimsPrincipal User, string UserId, string? ClientAddress)
{
    public static StaffActor From(HttpContext http) =>
        new(http.User, StaffRoles.UserIdOf(http.User), http.Connection.RemoteIpAddress?.ToString());
}

/// <summary>One stored hook call: the request as received and the response as sent, both verbatim JSON text.</summary>
public sealed record HookExchangeView(DateTimeOffset ReceivedAt, string ServiceId, string Hook, string HookInstance, string? ClientIssuer, int HttpStatus, string Request, string? Response);

/// <summary>Why a decision was refused (the API maps each to its status code; the pages show the message).</summary>
public enum DecisionRefusal
{
    None,
    NotFound,
    Invalid,
    Forbidden,
    Conflict,
}

/// <param name="Errors">For <see cref="DecisionRefusal.Invalid"/>: messages by field name.</param>
public sealed record DecisionResult(DecisionOutcome? Outcome, DecisionRefusal Refusal, string? Message, Dictionary<string, string[]>? Errors = null, CaseSummary? Current = null);

/// <summary>
/// The review workspace's operations, shared by the pages and the JSON API: the queue, a case with its
/// documentation, and decisions. Every read of patient data is written to the audit log before it is returned,
/// and every decision after it is stored; a failed audit write fails the request rather than show PHI unaudited.
/// </summary>
public sealed partial class ReviewService(
    IPriorAuthCaseStore cases,
    IReviewDecisionStore decisions,
    IQuestionnaireResponseStore responses,
    ICoverageAssertionStore assertions,
    IHookExchangeLogReader exchanges,
    IAuditLog audit,
    CaseDocumentation documentation,
    PolicyWording wording,
    IAssertionIdSource ids,
    ReviewOptions options,
    TimeProvider time,
    ILogger<ReviewService> logger)
{
    public const int MaxRationaleLength = 2000;
    public const string AuditSignIn = "sign-in";
    public const string AuditSignInFailed = "sign-in-failed";

    /// <summary>Decisions are refused while the documentation job is working on the case.</summary>
    private static readonly PriorAuthCaseStatus[] DecidableStatuses =
    [
        PriorAuthCaseStatus.PendingReview, PriorAuthCaseStatus.MoreInformationRequested, PriorAuthCaseStatus.AwaitingDocumentation,
        PriorAuthCaseStatus.Approved, PriorAuthCaseStatus.Denied,
    ];

    public PolicyWording Wording => wording;

    public async Task<QueuePage> QueueAsync(QueueFilter filter, StaffActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var page = await cases.QueryQueueAsync(new PriorAuthCaseQueueQuery
        {
            Now = now,
            Statuses = filter.Statuses,
            IndicationLabel = filter.Indication,
            MinAge = filter.MinAgeDays is { } min ? TimeSpan.FromDays(min) : null,
            MaxAge = filter.MaxAgeDays is { } max ? TimeSpan.FromDays(max) : null,
            Sort = filter.Sort,
            PageSize = filter.PageSize,
            After = filter.After,
        }, cancellationToken);

        // One entry per listing, naming every case and patient shown.
        await audit.AppendAsync(new AuditEventRecord
        {
            At = now,
            ActorUserId = actor.UserId,
            ActorRole = StaffRoles.AuditRole(actor.User),
            Action = AuditActions.ViewQueue,
            Detail = JsonSerializer.Serialize(new
            {
                statuses = filter.Statuses.Select(s => s.ToCode()),
                indication = filter.Indication,
                filter.MinAgeDays,
                filter.MaxAgeDays,
                sort = filter.Sort.ToString().ToLowerInvariant(),
                shown = page.Items.Select(c => new { c.CaseId, patient = c.PatientReference }),
            }),
            ClientAddress = actor.ClientAddress,
        }, cancellationToken);

        return new QueuePage(
            page.Items.Select(CaseSummary.From).ToList(),
            page.TotalCount,
            page.CountsByStatus.ToDictionary(p => p.Key.ToCode(), p => p.Value, StringComparer.Ordinal),
            page.Next is null ? null : QueueCursor.Encode(page.Next, filter.Sort));
    }

    /// <summary>The case with everything the case page shows, or null; the view is audited.</summary>
    public async Task<CaseDetail?> CaseAsync(string caseId, StaffActor actor, CancellationToken cancellationToken)
    {
        var found = await cases.FindAsync(caseId, cancellationToken);
        if (found is null)
        {
            return null;
        }

        await AuditCaseViewAsync(found, actor, AuditActions.ViewCase, cancellationToken);

        var assertion = await assertions.FindAsync(found.AssertionId, cancellationToken);
        var chart = await ChartAsync(assertion, found, cancellationToken);
        var received = await responses.ListForCaseAsync(found.CaseId, cancellationToken);
        var events = await cases.ListEventsAsync(found.CaseId, cancellationToken);
        var decided = await decisions.ListForCaseAsync(found.CaseId, cancellationToken);

        var responseViews = documentation.Responses(received, assertion, chart);
        var latestReevaluation = events.LastOrDefault(e => e.Kind == PriorAuthCaseEventKinds.ReEvaluated);
        var (criteria, conflicts) = documentation.Criteria(assertion, chart, received.LastOrDefault(), responseViews.LastOrDefault(), latestReevaluation);

        var superseded = decided.Where(d => d.SupersedesDecisionId is not null).Select(d => d.SupersedesDecisionId!.Value).ToHashSet();
        return new CaseDetail(
            CaseSummary.From(found),
            PatientOf(found, chart),
            OrderOf(found, chart),
            assertion is null ? null : new AssertionSummary(assertion.AssertionId, assertion.CreatedAt, assertion.PolicyVersion, assertion.Covered, assertion.PaNeeded, assertion.DocNeeded),
            criteria,
            conflicts,
            responseViews,
            decided.Select(d => ToView(d, superseded.Contains(d.Id))).ToList(),
            events.Select(e => new HistoryEntry(e.At, e.Kind, e.Actor, e.Summary)).ToList(),
            Allowed(actor.User, found, decided.LastOrDefault()),
            wording.DenialReasons);
    }

    /// <summary>A staff user saw this case's PHI: who, what, when, which patient.</summary>
    private async System.Threading.Tasks.Task AuditCaseViewAsync(PriorAuthCaseRecord found, StaffActor actor, string action, CancellationToken cancellationToken) =>
        await audit.AppendAsync(new AuditEventRecord
        {
            At = time.GetUtcNow(),
            ActorUserId = actor.UserId,
            ActorRole = StaffRoles.AuditRole(actor.User),
            Action = action,
            PatientReference = found.PatientReference,
            CaseId = found.CaseId,
            ClientAddress = actor.ClientAddress,
        }, cancellationToken);

    /// <summary>Validates and stores a decision. The case must still be at the version the reviewer saw.</summary>
    /// <summary>
    /// What the EHR sent and what we answered on the hook call behind the case's assertion, verbatim (CRD: retained
    /// for dispute resolution). Null when the case is unknown.
    /// </summary>
    public async Task<IReadOnlyList<HookExchangeView>?> HookExchangesAsync(string caseId, StaffActor actor, CancellationToken cancellationToken)
    {
        var found = await cases.FindAsync(caseId, cancellationToken);
        if (found is null)
        {
            return null;
        }

        await AuditCaseViewAsync(found, actor, AuditActions.ViewHookLog, cancellationToken);

        var assertion = await assertions.FindAsync(found.AssertionId, cancellationToken);
        if (assertion?.HookInstance is null)
        {
            return [];
        }

        return (await exchanges.FindByHookInstanceAsync(assertion.HookInstance, cancellationToken))
            .Select(e => new HookExchangeView(e.ReceivedAt, e.ServiceId, e.Hook, e.HookInstance, e.ClientIssuer, e.HttpStatus, e.RequestBody, e.ResponseBody))
            .ToList();
    }

    public async Task<DecisionResult> DecideAsync(string caseId, DecisionRequest request, StaffActor actor, CancellationToken cancellationToken)
    {
        var errors = Validate(request, out var kind);
        if (errors.Count > 0)
        {
            return new DecisionResult(null, DecisionRefusal.Invalid, "The decision is incomplete: " + string.Join(" ", errors.SelectMany(e => e.Value)), errors);
        }

        var found = await cases.FindAsync(caseId, cancellationToken);
        if (found is null)
        {
            return new DecisionResult(null, DecisionRefusal.NotFound, $"There is no case '{caseId}'.");
        }

        // A stale form is a conflict whatever else is wrong with it: the reviewer must see the case as it is now.
        if (found.Version != request.ExpectedVersion)
        {
            return Stale(found, request.ExpectedVersion!.Value);
        }

        var previous = await decisions.LatestForCaseAsync(found.CaseId, cancellationToken);
        var allowed = Allowed(actor.User, found, previous);
        var role = StaffRoles.DecidingRole(actor.User, kind);
        if (!DecidableStatuses.Contains(found.Status))
        {
            return new DecisionResult(null, DecisionRefusal.Conflict, allowed.WhyNot, Current: CaseSummary.From(found));
        }

        if (role is null)
        {
            return new DecisionResult(null, DecisionRefusal.Forbidden, kind == ReviewDecisionKind.Deny
                ? "Only a medical director may deny a case."
                : $"Your role may not {kind.ToCode()} cases.");
        }

        if (!IsAllowed(allowed, kind))
        {
            return new DecisionResult(null, DecisionRefusal.Forbidden, allowed.WhyNot ?? $"Your role may not {kind.ToCode()} this case.");
        }

        var now = time.GetUtcNow();
        var reason = wording.DenialReason(request.ReasonCode);
        var rationale = request.Rationale?.Trim() is { Length: > 0 } text
            ? text
            : kind == ReviewDecisionKind.Approve ? "Approved on review." : "";
        var decision = new ReviewDecisionRecord
        {
            CaseId = found.CaseId,
            DecidedAt = now,
            DecidedBy = actor.UserId,
            Role = role,
            Decision = kind,
            PolicyReasonCode = reason?.Code,
            Rationale = reason is null ? rationale : $"{reason.Label}. {rationale}",
            PriorAuthNumber = kind == ReviewDecisionKind.Approve ? ids.NewSatisfiedPaId() : null,
            PriorAuthExpiresOn = kind == ReviewDecisionKind.Approve ? DateOnly.FromDateTime(now.UtcDateTime).AddDays(options.ApprovalValidDays) : null,
            SupersedesDecisionId = previous?.Id,
        };

        ReviewDecisionResult stored;
        try
        {
            stored = await decisions.AddAsync(decision, found.Version, cancellationToken);
        }
        catch (CaseConcurrencyException)
        {
            var latest = await cases.FindAsync(found.CaseId, cancellationToken);
            return Stale(latest ?? found, found.Version);
        }

        if (kind == ReviewDecisionKind.Pend)
        {
            // The provider's DTR app may fetch the package for the same assertion again and submit a new response;
            // the intake moves the case from more-information-requested to processing.
            await cases.AppendEventAsync(new PriorAuthCaseEventRecord
            {
                CaseId = found.CaseId,
                At = now,
                Kind = PriorAuthCaseEventKinds.Reopened,
                Actor = actor.UserId,
                Summary = Truncate($"Questionnaire reopened for the provider (coverage assertion {found.AssertionId}): {rationale}", 2000),
                DetailJson = JsonSerializer.Serialize(new { assertionId = found.AssertionId, decisionId = stored.Decision.Id }),
            }, cancellationToken);
        }

        await audit.AppendAsync(new AuditEventRecord
        {
            At = now,
            ActorUserId = actor.UserId,
            ActorRole = role,
            Action = AuditActions.Decide,
            PatientReference = found.PatientReference,
            CaseId = found.CaseId,
            Detail = JsonSerializer.Serialize(new
            {
                decisionId = stored.Decision.Id,
                decision = kind.ToCode(),
                reasonCode = reason?.Code,
                priorAuthNumber = stored.Decision.PriorAuthNumber,
                supersedes = stored.Decision.SupersedesDecisionId,
                caseVersion = stored.Case.Version,
            }),
            ClientAddress = actor.ClientAddress,
        }, cancellationToken);

        LogDecided(logger, found.CaseId, kind.ToCode(), stored.Decision.Id, role);
        return new DecisionResult(new DecisionOutcome(ToView(stored.Decision, false), CaseSummary.From(stored.Case)), DecisionRefusal.None, null);
    }

    /// <summary>Appends a sign-in (or failed sign-in) to the audit log: who got in, from where.</summary>
    public async System.Threading.Tasks.Task AuditSignInAsync(string userId, string role, bool succeeded, string? clientAddress, string? detail, CancellationToken cancellationToken) =>
        await audit.AppendAsync(new AuditEventRecord
        {
            At = time.GetUtcNow(),
            ActorUserId = Truncate(userId, 200),
            ActorRole = role,
            Action = succeeded ? AuditSignIn : AuditSignInFailed,
            Detail = detail,
            ClientAddress = clientAddress,
        }, cancellationToken);

    public AllowedDecisions Allowed(ClaimsPrincipal user, PriorAuthCaseRecord record, ReviewDecisionRecord? previous)
    {
        if (!DecidableStatuses.Contains(record.Status))
        {
            return new AllowedDecisions(false, false, false, "The case is being re-evaluated on new documentation; decide once it is back in the queue.");
        }

        // Overturning a denial is a medical director's call, as the denial was.
        var overturnsDenial = previous?.Decision == ReviewDecisionKind.Deny && record.Status == PriorAuthCaseStatus.Denied;
        var director = StaffRoles.RolesOf(user).Contains(StaffRoles.MedicalDirector);
        var approve = StaffRoles.May(user, ReviewDecisionKind.Approve) && (!overturnsDenial || director);
        var pend = StaffRoles.May(user, ReviewDecisionKind.Pend) && (!overturnsDenial || director);
        var deny = StaffRoles.May(user, ReviewDecisionKind.Deny);
        var whyNot = overturnsDenial && !director ? "The case was denied by a medical director; only a medical director can change that decision." : null;
        return new AllowedDecisions(approve, deny, pend, whyNot);
    }

    private static bool IsAllowed(AllowedDecisions allowed, ReviewDecisionKind kind) => kind switch
    {
        ReviewDecisionKind.Approve => allowed.Approve,
        ReviewDecisionKind.Deny => allowed.Deny,
        _ => allowed.Pend,
    };

    private Dictionary<string, string[]> Validate(DecisionRequest request, out ReviewDecisionKind kind)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!ReviewDecisionKindCodes.TryParse(request.Decision, out kind))
        {
            errors["decision"] = [$"'decision' must be approve, deny or pend; got '{request.Decision}'."];
        }

        if (request.ExpectedVersion is not > 0)
        {
            errors["expectedVersion"] = ["'expectedVersion' is required: the case version you reviewed (the case's 'version')."];
        }

        var rationale = request.Rationale?.Trim() ?? "";
        if (rationale.Length > MaxRationaleLength)
        {
            errors["rationale"] = [$"'rationale' is at most {MaxRationaleLength} characters."];
        }

        if (!errors.ContainsKey("decision"))
        {
            if (kind == ReviewDecisionKind.Deny && wording.DenialReason(request.ReasonCode) is null)
            {
                errors["reasonCode"] = [string.IsNullOrWhiteSpace(request.ReasonCode)
                    ? "'reasonCode' is required to deny: pick one of the policy's reasons."
                    : $"'reasonCode' '{request.ReasonCode}' is not one of the policy's reasons."];
            }
            else if (kind != ReviewDecisionKind.Deny && !string.IsNullOrWhiteSpace(request.ReasonCode) && wording.DenialReason(request.ReasonCode) is null)
            {
                errors["reasonCode"] = [$"'reasonCode' '{request.ReasonCode}' is not one of the policy's reasons."];
            }

            if (kind is ReviewDecisionKind.Deny or ReviewDecisionKind.Pend && rationale.Length == 0 && !errors.ContainsKey("rationale"))
            {
                errors["rationale"] = [kind == ReviewDecisionKind.Deny
                    ? "'rationale' is required to deny: explain the decision in your own words."
                    : "'rationale' is required to pend: say what information the provider must send."];
            }
        }

        return errors;
    }

    private static DecisionResult Stale(PriorAuthCaseRecord current, long expected) => new(
        null,
        DecisionRefusal.Conflict,
        $"The case changed after you opened it (you saw version {expected}; it is now version {current.Version}, status {current.Status.ToCode()}). Nothing was saved. Review the case again before deciding.",
        Current: CaseSummary.From(current));

    private DecisionView ToView(ReviewDecisionRecord d, bool superseded) => new(
        d.Id,
        d.DecidedAt,
        d.DecidedBy,
        d.Role,
        d.Decision.ToCode(),
        d.PolicyReasonCode,
        d.PolicyReasonCode is null ? null : wording.DenialReason(d.PolicyReasonCode)?.Label ?? wording.For(d.PolicyReasonCode).Display,
        d.Rationale,
        d.PriorAuthNumber,
        d.PriorAuthExpiresOn,
        d.SupersedesDecisionId,
        superseded);

    private async Task<CaseChart?> ChartAsync(CoverageAssertionRecord? assertion, PriorAuthCaseRecord record, CancellationToken cancellationToken)
    {
        if (assertion?.HookInstance is null)
        {
            return null;
        }

        var bundle = (await exchanges.FindByHookInstanceAsync(assertion.HookInstance, cancellationToken))
            .Select(e => e.RecordBundle)
            .FirstOrDefault(b => b is not null);
        return CaseDocumentation.ReadChart(bundle, record.PatientReference, record.OrderReference);
    }

    private static PatientSummary PatientOf(PriorAuthCaseRecord record, CaseChart? chart)
    {
        var patient = chart?.Patient;
        var name = patient?.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Official) ?? patient?.Name.FirstOrDefault();
        var text = name is null ? null : name.Text ?? string.Join(" ", name.Given.Append(name.Family).Where(p => !string.IsNullOrWhiteSpace(p)));
        var identifier = patient?.Identifier.FirstOrDefault(i => !string.IsNullOrWhiteSpace(i.Value));
        return new PatientSummary(record.PatientReference, string.IsNullOrWhiteSpace(text) ? null : text, patient?.BirthDate, patient?.Gender?.ToString().ToLowerInvariant(), identifier?.Value);
    }

    private static OrderSummary OrderOf(PriorAuthCaseRecord record, CaseChart? chart)
    {
        if (chart?.Order is not ServiceRequest order)
        {
            return new OrderSummary(record.OrderReference, [], null, null, null, []);
        }

        var codes = order.Code?.Coding.Select(c => string.Join(" ", new[] { c.Code, c.Display }.Where(s => !string.IsNullOrWhiteSpace(s)))).ToList() ?? [];
        var reasons = order.ReasonCode.Select(r => r.Text ?? r.Coding.FirstOrDefault()?.Display ?? r.Coding.FirstOrDefault()?.Code).OfType<string>().ToList();
        return new OrderSummary(record.OrderReference, codes, order.Code?.Text ?? order.Code?.Coding.FirstOrDefault()?.Display, order.AuthoredOn, order.Status?.ToString().ToLowerInvariant(), reasons);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId}: {Decision} stored as decision {DecisionId} by a {Role}")]
    private static partial void LogDecided(ILogger logger, string caseId, string decision, long decisionId, string role);
}
