using System.Globalization;
using System.Text;
using Hl7.Fhir.Model.CdsHooks;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Crd;

/// <summary>
/// The cards of a CRD answer: one coverage card per order (outcome in the summary, every criterion with its
/// status and evidence in the detail, the policy as an absolute link), warning cards for order problems, and an
/// informative card when no coverage is on file.
/// </summary>
public sealed class CoverageCards(CoveragePolicy policy, IAssertionIdSource ids)
{
    [ThreadStatic]
    private static StringBuilder? DetailBuilder;

    private readonly PolicySettings settings = policy.Settings;

    /// <summary>CDS Hooks: summary SHOULD be under 140 characters.</summary>
    public const int MaxSummaryLength = 139;

    public CrdCard CoverageCard(InScopeOrder order, CoverageDetermination determination, IReadOnlyList<CoverageInformation> information, bool primaryHook, PatientRecord record)
    {
        var indicator = determination.Outcome == CoverageOutcome.NotCovered ? "warning" : "info";
        return Card(CoverageSummary(order, determination, information, primaryHook), CoverageDetail(order, determination, information, primaryHook, record), indicator, CrdCodes.CoverageCardType);
    }

    /// <summary>
    /// The separate instructions card of a conditional answer on a primary hook: what to do next, with no links and no
    /// suggestions (the CRD "Instructions" response type; the coverage card keeps its policy link). Null when the
    /// answer needs no next step from the surgeon.
    /// </summary>
    public CrdCard? InstructionsCard(InScopeOrder order, CoverageDetermination determination, bool primaryHook)
    {
        if (!primaryHook || determination.Outcome != CoverageOutcome.Conditional || determination.ReasonCode == CriterionCodes.DocumentationUnderReview)
        {
            return null;
        }

        return Card(
            $"Next step for {order.ProcedureLabel} ({order.ProcedureCode}): complete the payer's documentation questionnaire",
            NextStep(determination, primaryHook)! + "\n\nOrder `" + order.Reference + "`.",
            "info",
            CrdCodes.InstructionsCardType,
            withPolicyLink: false);
    }

    public CrdCard OrderProblemCard(OrderProblem problem) =>
        Card(problem.Summary, problem.Detail + "\n\nThis is an ordering problem, not a coverage denial.", "warning", CrdCodes.OrderProblemCardType);

    public CrdCard NoCoverageCard(IReadOnlyList<InScopeOrder> orders, PatientRecord record)
    {
        var what = orders.Count == 1 ? $"{orders[0].ProcedureLabel} ({orders[0].ProcedureCode})" : $"{orders.Count} vertebral augmentation orders";
        var why = record.HasGapFor("Coverage")
            ? "The patient's coverage could not be read from the EHR (" + string.Join("; ", record.Gaps.Where(g => g.ResourceType == "Coverage").Select(g => g.Reason.TrimEnd('.'))) + ")."
            : "No Coverage resource for the patient was found in the EHR data.";
        return Card(
            Truncate($"No insurance coverage on file: coverage for {what} was not checked."),
            why + " Without the patient's coverage we make no coverage statement; add or update the coverage and sign again.\n\nOrders: "
                + string.Join(", ", orders.Select(o => $"`{o.Reference}` CPT {o.ProcedureCode}")),
            "info",
            CrdCodes.InsuranceCardType);
    }

    public CrdCard InactiveCoverageCard(IReadOnlyList<InScopeOrder> orders, IReadOnlyList<string> coverageReferences)
    {
        var what = orders.Count == 1 ? $"{orders[0].ProcedureLabel} ({orders[0].ProcedureCode})" : $"{orders.Count} vertebral augmentation orders";
        return Card(
            Truncate($"Coverage on file is not active: {what} is not covered under it."),
            "The coverage on file (" + string.Join(", ", coverageReferences.Select(c => $"`{c}`")) + ") is not active, so the order is not covered under it. Check the patient's current insurance.",
            "warning",
            CrdCodes.InsuranceCardType);
    }

    /// <summary>The patient has coverage on file, but none of it is with this payer: we say nothing about other payers' coverage.</summary>
    public CrdCard NotOurMemberCard(IReadOnlyList<InScopeOrder> orders)
    {
        var what = orders.Count == 1 ? $"{orders[0].ProcedureLabel} ({orders[0].ProcedureCode})" : $"{orders.Count} vertebral augmentation orders";
        return Card(
            Truncate($"No coverage with this payer on file: {what} was not checked."),
            "None of the patient's coverages on file is with this payer, so this service makes no coverage statement. Ask the patient's payer for its coverage requirements.",
            "info",
            CrdCodes.InsuranceCardType);
    }

    /// <summary>A failure inside the decision: the EHR still gets an answer.</summary>
    public CrdCard TechnicalProblemCard() => Card(
        "Coverage could not be checked right now; the payer will review this order.",
        "A technical problem stopped the automatic coverage check. Nothing about the patient was judged. Sign the order as usual; the payer's prior-authorization process applies.",
        "info",
        CrdCodes.InsuranceCardType);

    /// <summary>Orders the EHR named (order-dispatch) but that could not be read.</summary>
    public CrdCard UnreadableOrdersCard(IReadOnlyList<string> references) => Card(
        "Some dispatched orders could not be read from the EHR, so their coverage was not checked.",
        "These orders were named by the EHR but could not be read in time: " + string.Join(", ", references.Select(r => "`" + r + "`")) + ".",
        "info",
        CrdCodes.InsuranceCardType);

    /// <summary>Adds a card unless the EHR switched its card type off (CRD configuration options).</summary>
    public static void Add(CrdResponse response, CrdRequestOptions options, CrdCard card)
    {
        if (card.Source?.Topic?.Code is { } type && options.DisabledCardTypes.Contains(type))
        {
            return;
        }

        response.Cards.Add(card);
    }

    private CrdCard Card(string summary, string detail, string indicator, string cardType, bool withPolicyLink = true) => new()
    {
        Uuid = ids.NewCardUuid(),
        Summary = Truncate(summary),
        Detail = detail,
        Indicator = indicator,
        Source = new CrdSource
        {
            Label = settings.CardSourceLabel,
            Url = policy.PolicyUri,
            Topic = CrdCodes.CardType(cardType, settings.CrdVersion),
        },
        // Null, not empty: the kit reads a card with a links array (even an empty one) as an external reference.
        Links = withPolicyLink
            ? [new Link { Label = "Coverage policy: " + settings.PolicyTitle, Url = policy.PolicyUri, Type = "absolute" }]
            : null,
    };

    private static string CoverageSummary(InScopeOrder order, CoverageDetermination determination, IReadOnlyList<CoverageInformation> information, bool primaryHook)
    {
        var what = $"{order.ProcedureLabel} ({order.ProcedureCode})";
        var summary = determination.Outcome switch
        {
            CoverageOutcome.Covered when information.Count == 1 && information[0].SatisfiedPaId is { } pa => $"{what}: covered — prior authorization satisfied, PA {pa}",
            CoverageOutcome.Covered => $"{what}: covered — prior authorization satisfied",
            CoverageOutcome.NotCovered => $"{what}: not covered — {determination.ShortReason}",
            _ when primaryHook => $"{what}: prior authorization needed — {determination.ShortReason}",
            _ => $"{what}: prior authorization needed; {determination.ShortReason} when signing",
        };
        return Truncate(summary);
    }

    private string CoverageDetail(InScopeOrder order, CoverageDetermination determination, IReadOnlyList<CoverageInformation> information, bool primaryHook, PatientRecord record)
    {
        // One builder per thread, sized for a typical card (a dozen criteria with their evidence): the card text is
        // the largest thing a hook call builds, and regrowing or reallocating it cost more than the evaluation.
        var text = DetailBuilder ??= new StringBuilder(8192);
        text.Clear();
        text.Append("**").Append(OutcomeWords(determination.Outcome)).Append(".** ").Append(determination.Reason).Append("\n\n");
        text.Append("Order `").Append(order.Reference).Append("`: CPT ").Append(order.ProcedureCode).Append(' ').Append(order.ProcedureLabel)
            .Append(", order date ").Append(order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Append(order.OrderDateIsCallDate ? " (today; no authored date)" : string.Empty)
            .Append(order.IsScheduled ? ", planned procedure date " + order.PlannedDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty).Append(".\n\n");

        foreach (var info in information)
        {
            text.Append("- Coverage `").Append(info.CoverageReference).Append("`: ").Append(info.Covered);
            if (info.PaNeeded is not null)
            {
                text.Append(", prior authorization ").Append(info.PaNeeded);
            }

            if (info.SatisfiedPaId is not null)
            {
                text.Append(", PA number ").Append(info.SatisfiedPaId);
            }

            text.Append(" (coverage assertion ").Append(info.AssertionId).Append(")\n");
        }

        AppendCriteria(text, "Inclusion criteria (all must be met)", determination.Criteria.Where(c => c.Kind == CriterionKind.Inclusion));
        AppendCriteria(text, "Exclusions (none may be present)", determination.Criteria.Where(c => c.Kind == CriterionKind.Exclusion));

        if (record.Gaps.Count > 0)
        {
            text.Append("\n**Could not be read from the EHR:** ")
                .Append(string.Join("; ", record.Gaps.Select(g => $"{g.ResourceType} ({g.Reason.TrimEnd('.')})")))
                .Append(". Criteria that depend on it are unknown, not failed.\n");
        }

        if (NextStep(determination, primaryHook) is { } nextStep)
        {
            text.Append('\n').Append(nextStep).Append('\n');
        }

        text.Append("\nPolicy: [").Append(settings.PolicyTitle).Append("](").Append(settings.PolicyUrl).Append("), version ").Append(settings.PolicyVersion).Append('.');
        return text.ToString();
    }

    /// <summary>What the surgeon does next (the coverage card's closing line, and the instructions card's text), or null.</summary>
    private static string? NextStep(CoverageDetermination determination, bool primaryHook) =>
        determination.ReasonCode == CriterionCodes.DocumentationUnderReview
            ? "**Next step:** none for now. The payer is reviewing the documentation already sent for this order; do not send it again unless the payer asks for more."
            : determination.Outcome != CoverageOutcome.Conditional ? null
            : primaryHook
            ? QuestionnaireNextStep
            : "**Next step:** when the order is signed, the payer will ask for documentation of the open items.";

    /// <summary>The next step of a conditional answer on a primary hook: the questionnaire launched from the order.</summary>
    public const string QuestionnaireNextStep =
        "**Next step:** complete the payer's documentation questionnaire (launched from this order); it asks only for the open items and is pre-filled with what the chart already shows. The answers go with the prior-authorization request.";

    private void AppendCriteria(StringBuilder text, string heading, IEnumerable<CriterionResult> criteria)
    {
        text.Append("\n**").Append(heading).Append("**\n\n");
        foreach (var criterion in criteria)
        {
            text.Append("- **").Append(criterion.Title).Append("** — ").Append(StatusWords(criterion)).Append(". ").Append(criterion.Explanation);
            if (criterion.Evidence.Count > 0)
            {
                text.Append(" Evidence: ");
                for (var i = 0; i < criterion.Evidence.Count; i++)
                {
                    WithDisplay(criterion.Evidence[i]).AppendDescription(i == 0 ? text : text.Append("; "));
                }

                text.Append('.');
            }

            text.Append('\n');
        }
    }

    /// <summary>EHRs often send codes without displays; the card shows the display our artifacts give the code.</summary>
    private EvidenceItem WithDisplay(EvidenceItem evidence) =>
        evidence is { Display: null or "", System: { } system, Code: { } code } && policy.DisplayOfCode(system, code) is { } display
            ? evidence with { Display = display }
            : evidence;

    private static string StatusWords(CriterionResult result) => result.StatusCode switch
    {
        "met" => "met",
        "not-met" => "not met",
        "present" => "present",
        "ruled-out" => "ruled out",
        _ => "unknown (documentation needed)",
    };

    private static string OutcomeWords(CoverageOutcome outcome) => outcome switch
    {
        CoverageOutcome.Covered => "Covered",
        CoverageOutcome.NotCovered => "Not covered",
        _ => "Prior authorization needed",
    };

    internal static string Truncate(string summary) =>
        summary.Length <= MaxSummaryLength ? summary : summary[..(MaxSummaryLength - 1)].TrimEnd() + "…";
}
