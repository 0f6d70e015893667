namespace VaCdsHooks.Storage;

/// <summary>How far the background re-evaluation of a received QuestionnaireResponse got.</summary>
public enum QuestionnaireResponseProcessingState
{
    /// <summary><c>received</c>: stored, not yet processed (or the job died before finishing).</summary>
    Received,

    /// <summary><c>processed</c>: the re-evaluation finished; running the job again must do nothing.</summary>
    Processed,

    /// <summary><c>failed</c>: the last attempt failed; it may be retried.</summary>
    Failed,
}

/// <summary>
/// A QuestionnaireResponse POSTed by a DTR app and the state of its processing. To save one, the caller gives what was
/// received; the store assigns the id and starts processing at <see cref="QuestionnaireResponseProcessingState.Received"/>.
/// </summary>
public sealed record QuestionnaireResponseRecord
{
    /// <summary>Our server id (opaque), assigned by the store.</summary>
    public string Id { get; init; } = "";

    public required string CaseId { get; init; }

    /// <summary>Must be the case's own assertion.</summary>
    public required string AssertionId { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The authenticated client (DTR app) that submitted it.</summary>
    public required string ClientId { get; init; }

    /// <summary>The resource's own <c>id</c> or <c>identifier</c> as sent, when it had one.</summary>
    public string? SubmittedIdentifier { get; init; }

    /// <summary>
    /// <see cref="QuestionnaireResponseContentHash"/> of the resource's canonical JSON (the caller canonicalizes): the
    /// idempotency key, so the same content sent again is stored once.
    /// </summary>
    public required string ContentHash { get; init; }

    /// <summary>The body exactly as received.</summary>
    public required string ResourceJson { get; init; }

    public QuestionnaireResponseProcessingState ProcessingState { get; init; }

    /// <summary>When processing succeeded; null until then.</summary>
    public DateTimeOffset? ProcessedAt { get; init; }

    /// <summary>Why the latest failed attempt failed; null when none failed.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Processing attempts that finished (successfully or not).</summary>
    public int Attempts { get; init; }
}

/// <param name="Created">False when the same content was already stored for the case; <paramref name="Response"/> is then that earlier row.</param>
public sealed record QuestionnaireResponseSaveResult(QuestionnaireResponseRecord Response, bool Created);

/// <summary>The content hash used as the resubmission key: lower-case hex SHA-256 of the UTF-8 canonical JSON.</summary>
public static class QuestionnaireResponseContentHash
{
    public static string Compute(string canonicalJson)
    {
        ArgumentNullException.ThrowIfNull(canonicalJson);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonicalJson)));
    }
}
