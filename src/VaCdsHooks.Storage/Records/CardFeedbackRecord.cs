namespace VaCdsHooks.Storage;

/// <summary>CDS Hooks feedback outcome for one card.</summary>
public enum CardFeedbackOutcome
{
    Accepted,
    Overridden,
}

/// <summary>
/// One feedback item posted to <c>{service}/feedback</c>.
/// (<see cref="ServiceId"/>, <see cref="ClientIssuer"/>, <see cref="CardUuid"/>, <see cref="OutcomeTimestamp"/>)
/// identifies it, so a retried POST stores nothing new.
/// </summary>
public sealed record CardFeedbackRecord
{
    /// <summary>Assigned by the database; ignored on write, set on read.</summary>
    public long Id { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required string ServiceId { get; init; }

    /// <summary>The client's <c>iss</c>; part of the idempotency key, so never null (use an agreed placeholder for anonymous clients).</summary>
    public required string ClientIssuer { get; init; }

    public required string CardUuid { get; init; }

    public required CardFeedbackOutcome Outcome { get; init; }

    public IReadOnlyList<string> AcceptedSuggestionIds { get; init; } = [];

    public string? OverrideReasonSystem { get; init; }

    public string? OverrideReasonCode { get; init; }

    public string? OverrideReasonDisplay { get; init; }

    public string? UserComment { get; init; }

    public required DateTimeOffset OutcomeTimestamp { get; init; }
}
