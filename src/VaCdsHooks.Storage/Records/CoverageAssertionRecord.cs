namespace VaCdsHooks.Storage;

/// <summary>
/// What we asserted about coverage for one order (the Da Vinci CRD coverage-information extension),
/// kept so a later DTR session, a prior-auth case or a re-sent order-sign can find it by id or by order.
/// </summary>
public sealed record CoverageAssertionRecord
{
    /// <summary>Opaque id we issued in the coverage-information extension.</summary>
    public required string AssertionId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? ClientIssuer { get; init; }

    public string? HookInstance { get; init; }

    /// <summary>e.g. <c>Patient/123</c>.</summary>
    public required string PatientReference { get; init; }

    /// <summary>e.g. <c>ServiceRequest/abc</c>.</summary>
    public required string OrderReference { get; init; }

    public string? CoverageReference { get; init; }

    public required string PolicyVersion { get; init; }

    /// <summary>CRD code: <c>covered</c> | <c>not-covered</c> | <c>conditional</c>. Kept as the code so new values need no migration.</summary>
    public required string Covered { get; init; }

    /// <summary>CRD code: <c>auth-needed</c> | <c>no-auth</c> | <c>satisfied</c> | <c>performpa</c> | <c>conditional</c>.</summary>
    public string? PaNeeded { get; init; }

    /// <summary>CRD code: <c>clinical</c> | <c>admin</c> | <c>both</c> | <c>conditional</c>; null when no documentation is needed.</summary>
    public string? DocNeeded { get; init; }

    public string? SatisfiedPaId { get; init; }

    public string? QuestionnaireCanonical { get; init; }

    /// <summary>Hash over the evidence the decision was made on, to tell whether a re-evaluation saw the same facts.</summary>
    public required string EvidenceHash { get; init; }

    /// <summary>Criteria in evaluation order; the order is preserved on read.</summary>
    public IReadOnlyList<AssertionCriterionRecord> Criteria { get => _criteria; init => _criteria = value as List<AssertionCriterionRecord> ?? [.. value ?? []]; }

    // EF Core fills a collection navigation through ICollection<T>, so the field is a List (a list given is kept as is,
    // as an auto-property would keep it, so `with` copies stay equal); the public list stays read-only.
    private List<AssertionCriterionRecord> _criteria = [];
}

public enum CriterionKind
{
    Inclusion,
    Exclusion,
}

/// <summary>How one policy criterion was judged for a <see cref="CoverageAssertionRecord"/>.</summary>
public sealed record AssertionCriterionRecord
{
    public required string CriterionId { get; init; }

    public required CriterionKind Kind { get; init; }

    /// <summary>e.g. <c>met</c> | <c>not-met</c> | <c>unknown</c>; the policy engine owns the vocabulary.</summary>
    public required string Status { get; init; }

    public string? Explanation { get; init; }

    /// <summary>FHIR references to the resources the judgement rests on.</summary>
    public IReadOnlyList<string> EvidenceReferences { get; init; } = [];

    /// <summary>Follow-up markers of the criterion (e.g. <c>competing-pain-generator</c>, <c>conflict</c>, <c>record-gap</c>).</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];
}
