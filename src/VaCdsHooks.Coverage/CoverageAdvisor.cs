using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Terminology;
using CdsAction = Hl7.Fhir.Model.CdsHooks.Action;
using FhirCoverage = Hl7.Fhir.Model.Coverage;

namespace VaCdsHooks.Coverage;

/// <summary>
/// The vertebral augmentation coverage engine behind the CRD hooks. Construct once at start (singleton); it
/// holds only the immutable loaded policy, does no I/O, reads no clock (time comes in the request), and is safe
/// to call from many threads.
/// </summary>
public sealed class CoverageAdvisor : ICoverageAdvisor
{
    private readonly CoveragePolicy _policy;
    private readonly IAssertionIdSource _ids;

    public CoverageAdvisor(CoveragePolicy policy, IAssertionIdSource ids)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(ids);
        _policy = policy;
        _ids = ids;
    }

    public bool IsInScope(Resource order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return OrderScope.Find(_policy, [order], DateTimeOffset.UnixEpoch).Count > 0;
    }

    public CoverageAnswer Advise(CoverageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var primaryHook = CrdHooks.IsPrimary(request.Hook);

        // CRD (hooks, primary hooks): order-sign, order-dispatch and appointment-book always answer with
        // systemActions; an empty array says that none of the orders is one we assess.
        var response = new CrdResponse { SystemActions = primaryHook ? [] : null };
        var assertions = new List<CoverageAssertion>();

        // Out-of-scope orders get nothing: no card, no action.
        var orders = OrderScope.Find(_policy, request.Orders, request.Now);
        if (orders.Count == 0)
        {
            return new CoverageAnswer(response, assertions);
        }

        var settings = _policy.Settings;
        var options = request.Options;
        var record = request.Record;
        var cards = new CoverageCards(_policy, _ids);
        var facts = ClinicalFacts.From(_policy, record, DateOnly.FromDateTime(request.Now.UtcDateTime));
        var sendCoverageInformation = options.CoverageInformation && !options.DisabledCardTypes.Contains(CrdCodes.CoverageInfoOption);

        var onFile = record.Coverages.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        if (onFile.Count == 0)
        {
            // coverage-information needs a coverage reference (1..1): without a Coverage there is nothing to assert
            // against, so an informative card and no system action.
            AddCard(response, options, cards.NoCoverageCard(orders, record));
            return new CoverageAnswer(response, assertions);
        }

        // Only our own members: another payer's coverage gets no assertion and no coverage-information from us.
        var coverages = onFile.Where(settings.IsOurPayer).ToList();
        if (coverages.Count == 0)
        {
            AddCard(response, options, cards.NotOurMemberCard(orders));
            return new CoverageAnswer(response, assertions);
        }

        var active = coverages.Where(c => c.Status == FinancialResourceStatusCodes.Active).ToList();

        var assertionDate = DateOnly.FromDateTime(request.Now.Date);
        var evaluated = CriteriaEvaluator.EvaluateAll(facts, orders);
        foreach (var order in orders)
        {
            var criteria = evaluated[order.Reference];
            var determination = active.Count > 0 ? DeterminationRules.Decide(criteria, facts) : NoActiveCoverage(criteria);
            var decidedUnder = active.Count > 0 ? active : coverages;
            var prior = active.Count > 0 ? PriorDecisionFor(request, order) : null;
            if (prior is { UnderReview: true } && determination.Outcome != CoverageOutcome.Conditional)
            {
                // The chart now decides on its own (e.g. the imaging arrived): that answer stands.
                prior = null;
            }

            if (prior is not null)
            {
                determination = FromPriorDecision(prior, criteria);
            }

            var information = new List<CoverageInformation>();
            foreach (var coverage in decidedUnder)
            {
                var coverageReference = "Coverage/" + coverage.Id;
                var info = CoverageInformation.Create(
                    coverageReference,
                    determination.CoveredCode,
                    documentationMayBeRequested: primaryHook && prior is not { UnderReview: true },
                    determination.ReasonCode,
                    _policy.DisplayOfCode(CodeSystems.Criterion, determination.ReasonCode),
                    determination.Reason,
                    settings.QuestionnaireReference,
                    assertionDate,
                    _ids.NewAssertionId(),
                    prior?.PriorAuthNumber is { } number ? () => number : _ids.NewSatisfiedPaId);
                information.Add(info);
                assertions.Add(ToAssertion(request, order, info, determination));
            }

            if (sendCoverageInformation)
            {
                response.SystemActions ??= [];
                response.SystemActions.Add(new CdsAction
                {
                    Type = "update",
                    Description = $"Added coverage information ({determination.CoveredCode}) for CPT {order.ProcedureCode} to {order.Reference}.",
                    Resource = CoverageInformation.AddTo(order.Resource, information),
                });
            }

            AddCard(response, options, active.Count > 0
                ? cards.CoverageCard(order, determination, information, primaryHook, record)
                : cards.InactiveCoverageCard([order], information.Select(i => i.CoverageReference).ToList()));
            if (active.Count > 0 && cards.InstructionsCard(order, determination, primaryHook) is { } instructions)
            {
                AddCard(response, options, instructions);
            }
        }

        foreach (var problem in OrderChecks.Check(facts, orders))
        {
            AddCard(response, options, cards.OrderProblemCard(problem));
        }

        return new CoverageAnswer(response, assertions);
    }

    /// <summary>The decision on file for this order, if it still holds on the request date.</summary>
    private static PriorDecision? PriorDecisionFor(CoverageRequest request, InScopeOrder order)
    {
        var today = DateOnly.FromDateTime(request.Now.UtcDateTime);
        return request.PriorDecisions?
            .Where(d => d.OrderReference == order.Reference)
            .Where(d => !d.Approved || (d.PriorAuthNumber is not null && (d.Expires is null || d.Expires >= today)))
            .OrderByDescending(d => d.DecidedAt)
            .FirstOrDefault();
    }

    private static CoverageDetermination FromPriorDecision(PriorDecision prior, IReadOnlyList<CriterionResult> criteria) =>
        prior.UnderReview ? new CoverageDetermination(
            CoverageOutcome.Conditional,
            CriterionCodes.DocumentationUnderReview,
            $"Documentation for this order was received on {prior.DecidedAt:yyyy-MM-dd} and is with the payer ({prior.Reason ?? "under review"}). Nothing more is needed now; the decision reaches the EHR on its status query or the next order-sign.",
            "documentation received, under payer review",
            [],
            criteria)
        : prior.Approved
        ? new CoverageDetermination(
            CoverageOutcome.Covered,
            CriterionCodes.AllCriteriaMet,
            $"Prior authorization {prior.PriorAuthNumber} was approved on {prior.DecidedAt:yyyy-MM-dd}" + (prior.Expires is { } expires ? $" and holds until {expires:yyyy-MM-dd}." : "."),
            "prior authorization approved",
            [],
            criteria)
        : new CoverageDetermination(
            CoverageOutcome.NotCovered,
            CriterionCodes.ExclusionPresent,
            $"Prior authorization was denied on {prior.DecidedAt:yyyy-MM-dd}: {prior.Reason ?? "see the payer's decision"}.",
            "prior authorization denied",
            [],
            criteria);

    private static CoverageDetermination NoActiveCoverage(IReadOnlyList<CriterionResult> criteria) => new(
        CoverageOutcome.NotCovered,
        CriterionCodes.NoActiveCoverage,
        "The patient's coverage on file is not active.",
        "coverage not active",
        [],
        criteria);

    private static void AddCard(CrdResponse response, CrdRequestOptions options, CrdCard card) => CoverageCards.Add(response, options, card);

    private CoverageAssertion ToAssertion(CoverageRequest request, InScopeOrder order, CoverageInformation info, CoverageDetermination determination)
    {
        var settings = _policy.Settings;
        return new CoverageAssertion(
            info.AssertionId,
            request.Now,
            "Patient/" + request.Record.PatientId,
            order.Reference,
            info.CoverageReference,
            settings.PolicyVersion,
            info.Covered,
            info.PaNeeded,
            info.DocNeeded,
            info.SatisfiedPaId,
            info.Questionnaire,
            EvidenceHash.Compute(settings.PolicyId, settings.PolicyVersion, order, info.CoverageReference, info.Covered, determination.Criteria),
            determination.Criteria.Select(StoredCriterionResult.From).ToList());
    }
}
