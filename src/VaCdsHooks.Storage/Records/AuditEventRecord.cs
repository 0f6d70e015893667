namespace VaCdsHooks.Storage;

/// <summary>Common <see cref="AuditEventRecord.Action"/> values; the vocabulary is open.</summary>
public static class AuditActions
{
    public const string ViewCase = "view-case";
    public const string ViewQueue = "view-queue";
    public const string Decide = "decide";
    public const string ViewHookLog = "view-hook-log";
}

/// <summary>One entry of the append-only audit log: a PHI view or a decision by a staff user.</summary>
public sealed record AuditEventRecord
{
    /// <summary>Assigned by the database; ignored on write, set on read.</summary>
    public long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string ActorUserId { get; init; }

    public required string ActorRole { get; init; }

    /// <summary>See <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }

    public string? PatientReference { get; init; }

    public string? CaseId { get; init; }

    public string? Detail { get; init; }

    /// <summary>The client's IP address as the host saw it.</summary>
    public string? ClientAddress { get; init; }
}
