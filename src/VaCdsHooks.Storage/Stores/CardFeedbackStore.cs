using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class CardFeedbackStore(VaCdsHooksDbContextFactory contexts) : ICardFeedbackStore
{
    private const string IdempotencyKeyIndex = "ux_card_feedback_idempotency_key";

    public async Task<int> SaveAsync(IReadOnlyList<CardFeedbackRecord> feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        foreach (var item in feedback)
        {
            ArgumentNullException.ThrowIfNull(item);
            ArgumentException.ThrowIfNullOrEmpty(item.ServiceId);
            ArgumentException.ThrowIfNullOrEmpty(item.CardUuid);
            // Part of the idempotency key, so never null.
            ArgumentNullException.ThrowIfNull(item.ClientIssuer);
        }

        if (feedback.Count == 0)
        {
            return 0;
        }

        await using var db = contexts.CreateDbContext();
        var statement = MappedInsert.For<CardFeedbackRecord>(db, ifAbsent: IdempotencyKeyIndex);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = 0;
        foreach (var item in feedback)
        {
            inserted += await statement.ExecuteAsync(db, item, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }
}
