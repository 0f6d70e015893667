using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class CardFeedbackStore(VaCdsHooksDbContextFactory contexts) : ICardFeedbackStore
{
    private const string IdempotencyKeyIndex = "ux_card_feedback_idempotency_key";

    public async Task<int> SaveAsync(IReadOnlyList<CardFeedbackRecord> feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        if (feedback.Count == 0)
        {
            return 0;
        }

        var rows = feedback.Select(RecordMapping.ToEntity).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var statement = InsertIfAbsentStatement<CardFeedbackEntity>.For(db, IdempotencyKeyIndex);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = 0;
        foreach (var row in rows)
        {
            inserted += await statement.ExecuteAsync(db, row, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public async Task<IReadOnlyList<CardFeedbackRecord>> FindByCardAsync(string serviceId, string cardUuid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentException.ThrowIfNullOrEmpty(cardUuid);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<CardFeedbackEntity>().AsNoTracking()
            .Where(x => x.ServiceId == serviceId && x.CardUuid == cardUuid)
            .OrderBy(x => x.OutcomeTimestamp).ThenBy(x => x.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }
}
