namespace VaCdsHooks.Storage;

/// <summary>Reads of the hook exchange log. Only for authorized staff: the host must guard every endpoint that uses it.</summary>
public interface IHookExchangeLogReader
{
    /// <summary>Every exchange logged for the hookInstance (normally one; a client retry adds more), oldest first.</summary>
    Task<IReadOnlyList<HookExchangeRecord>> FindByHookInstanceAsync(string hookInstance, CancellationToken cancellationToken = default);
}

/// <summary>Card feedback from the CDS Hooks feedback endpoint.</summary>
public interface ICardFeedbackStore
{
    /// <summary>
    /// Inserts the items whose (service id, client issuer, card uuid, outcome timestamp) is not stored yet, all in one
    /// transaction. Duplicates, retried POSTs included, are skipped without error. Returns how many rows were new.
    /// </summary>
    Task<int> SaveAsync(IReadOnlyList<CardFeedbackRecord> feedback, CancellationToken cancellationToken = default);
}

/// <summary>Reads of coverage assertions (written with the hook exchange through <see cref="IHookRecordWriter"/>).</summary>
public interface ICoverageAssertionStore
{
    /// <summary>The assertion with its criteria in their original order, or null.</summary>
    Task<CoverageAssertionRecord?> FindAsync(string assertionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The most recently created assertion for this patient and order, or null; with <paramref name="askedForDocumentation"/>
    /// only among those that asked for documentation (doc-needed set).
    /// </summary>
    Task<CoverageAssertionRecord?> FindLatestForOrderAsync(string patientReference, string orderReference, CancellationToken cancellationToken = default, bool askedForDocumentation = false);
}
