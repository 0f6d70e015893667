using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VaCdsHooks.Storage.Stores;
using static VaCdsHooks.Storage.Persistence.VaCdsHooksDbContext;

namespace VaCdsHooks.Storage.Persistence;

// One configuration per table; the public records are the mapped types. Columns take the snake_case of the property
// name unless named here (see VaCdsHooksDbContext.ApplySnakeCaseNames); enums are stored as their wire codes.

internal sealed class HookExchangeConfiguration : IEntityTypeConfiguration<HookExchangeRecord>
{
    /// <summary>Shadow key of a chart row: the id of the exchange it belongs to.</summary>
    public const string ChartOwner = "HookExchangeId";

    public void Configure(EntityTypeBuilder<HookExchangeRecord> e)
    {
        e.ToTable(HookExchangesTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedOnAdd();
        e.Property(x => x.ServiceId).HasMaxLength(200);
        e.Property(x => x.Hook).HasMaxLength(200);
        e.Property(x => x.HookInstance).HasMaxLength(200);
        e.Property(x => x.ClientIssuer).HasMaxLength(2000);
        e.Property(x => x.Tenant).HasMaxLength(200);
        e.Property(x => x.PatientId).HasMaxLength(200);
        // Blanked on write, and again on read for rows written before the rule (see CredentialRedaction).
        e.Property(x => x.RequestBody).HasConversion(body => CredentialRedaction.Redact(body), body => CredentialRedaction.Redact(body));
        e.Ignore(x => x.RecordBundle);
        e.OwnsOne(x => x.Chart, chart =>
        {
            chart.ToTable("hook_exchange_charts");
            chart.WithOwner().HasForeignKey(ChartOwner);
            chart.Property(c => c.Bundle).IsRequired();
        });
        e.HasIndex(x => x.HookInstance);
        // Disputes are looked into by patient, in the database: their exchanges newest first (id breaks ties) come off this index.
        e.HasIndex(x => new { x.PatientId, x.ReceivedAt, x.Id });
    }
}

internal sealed class CardFeedbackConfiguration : IEntityTypeConfiguration<CardFeedbackRecord>
{
    public void Configure(EntityTypeBuilder<CardFeedbackRecord> e)
    {
        e.ToTable(CardFeedbackTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedOnAdd();
        e.Property(x => x.ServiceId).HasMaxLength(200);
        e.Property(x => x.ClientIssuer).HasMaxLength(2000);
        e.Property(x => x.CardUuid).HasMaxLength(200);
        e.Property(x => x.Outcome).HasConversion<WireCodeConverter<CardFeedbackOutcome>>().HasMaxLength(20);
        e.Property(x => x.AcceptedSuggestionIds).HasColumnName("accepted_suggestion_ids_json").HasConversion(StringListColumn.Converter, StringListColumn.Comparer);
        e.Property(x => x.OverrideReasonSystem).HasMaxLength(2000);
        e.Property(x => x.OverrideReasonCode).HasMaxLength(200);
        // The idempotency key of a feedback POST (see CardFeedbackStore).
        e.HasIndex(x => new { x.ServiceId, x.ClientIssuer, x.CardUuid, x.OutcomeTimestamp }).IsUnique()
            .HasDatabaseName("ux_card_feedback_idempotency_key");
    }
}

internal sealed class CoverageAssertionConfiguration : IEntityTypeConfiguration<CoverageAssertionRecord>
{
    /// <summary>Shadow key of a criterion row: its position in the assertion's list, which also keeps the read order.</summary>
    public const string CriterionOrdinal = "Ordinal";

    /// <summary>Shadow foreign key of a criterion row: its assertion's id.</summary>
    public const string CriterionOwner = "AssertionId";

    public void Configure(EntityTypeBuilder<CoverageAssertionRecord> e)
    {
        e.ToTable(CoverageAssertionsTable);
        e.HasKey(x => x.AssertionId);
        e.Property(x => x.AssertionId).HasMaxLength(200);
        e.Property(x => x.ClientIssuer).HasMaxLength(2000);
        e.Property(x => x.HookInstance).HasMaxLength(200);
        e.Property(x => x.PatientReference).HasMaxLength(400);
        e.Property(x => x.OrderReference).HasMaxLength(400);
        e.Property(x => x.CoverageReference).HasMaxLength(400);
        e.Property(x => x.PolicyVersion).HasMaxLength(200);
        e.Property(x => x.Covered).HasMaxLength(50);
        e.Property(x => x.PaNeeded).HasMaxLength(50);
        e.Property(x => x.DocNeeded).HasMaxLength(50);
        e.Property(x => x.SatisfiedPaId).HasMaxLength(200);
        e.Property(x => x.QuestionnaireCanonical).HasMaxLength(2000);
        e.Property(x => x.EvidenceHash).HasMaxLength(200);
        e.HasIndex(x => new { x.PatientReference, x.OrderReference, x.CreatedAt })
            .HasDatabaseName("ix_coverage_assertions_patient_order_created");
        e.OwnsMany(x => x.Criteria, criterion =>
        {
            criterion.ToTable(AssertionCriteriaTable);
            criterion.WithOwner().HasForeignKey(CriterionOwner);
            criterion.Property<int>(CriterionOrdinal).ValueGeneratedNever();
            criterion.HasKey(CriterionOwner, CriterionOrdinal);
            criterion.Property(x => x.CriterionId).HasMaxLength(200);
            criterion.Property(x => x.Kind).HasConversion<WireCodeConverter<CriterionKind>>().HasMaxLength(20);
            criterion.Property(x => x.Status).HasMaxLength(50);
            criterion.Property(x => x.EvidenceReferences).HasColumnName("evidence_references_json").HasConversion(StringListColumn.Converter, StringListColumn.Comparer);
            // Rows written before flags existed read as "no flags".
            criterion.Property(x => x.Flags).HasColumnName("flags_json").HasConversion(StringListColumn.Converter, StringListColumn.Comparer)
                .HasDefaultValueSql("'[]'");
        });
    }
}

internal sealed class PriorAuthCaseConfiguration : IEntityTypeConfiguration<PriorAuthCaseRecord>
{
    public void Configure(EntityTypeBuilder<PriorAuthCaseRecord> e)
    {
        e.ToTable(PriorAuthCasesTable);
        e.HasKey(x => x.CaseId);
        e.Property(x => x.CaseId).HasMaxLength(200);
        e.Property(x => x.AssertionId).HasMaxLength(200);
        e.Property(x => x.PatientReference).HasMaxLength(400);
        e.Property(x => x.OrderReference).HasMaxLength(400);
        e.Property(x => x.CoverageReference).HasMaxLength(400);
        e.Property(x => x.Status).HasConversion<WireCodeConverter<PriorAuthCaseStatus>>().HasMaxLength(50);
        e.Property(x => x.PriorAuthNumber).HasMaxLength(200);
        e.Property(x => x.IndicationLabel).HasMaxLength(200);
        // Optimistic concurrency: every update checks the value it read and bumps it by one.
        e.Property(x => x.Version).IsConcurrencyToken();
        // One case per assertion: the conflict target of CreateIfAbsent.
        e.HasIndex(x => x.AssertionId).IsUnique().HasDatabaseName("ux_prior_auth_cases_assertion_id");
        // NULLs are distinct in unique indexes on both providers, so only issued numbers must be unique.
        e.HasIndex(x => x.PriorAuthNumber).IsUnique().HasDatabaseName("ux_prior_auth_cases_prior_auth_number");
        e.HasIndex(x => new { x.Status, x.CreatedAt }).HasDatabaseName("ix_prior_auth_cases_status_created");
        // created_at last so "latest case for this order" is answered from the index.
        e.HasIndex(x => new { x.PatientReference, x.OrderReference, x.CreatedAt }).HasDatabaseName("ix_prior_auth_cases_patient_order_created");
        e.HasOne<CoverageAssertionRecord>().WithMany().HasForeignKey(x => x.AssertionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PriorAuthCaseEventConfiguration : IEntityTypeConfiguration<PriorAuthCaseEventRecord>
{
    public void Configure(EntityTypeBuilder<PriorAuthCaseEventRecord> e)
    {
        e.ToTable(PriorAuthCaseEventsTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedOnAdd();
        e.Property(x => x.CaseId).HasMaxLength(200);
        e.Property(x => x.Kind).HasMaxLength(50);
        e.Property(x => x.Actor).HasMaxLength(200);
        e.HasIndex(x => new { x.CaseId, x.At, x.Id }).HasDatabaseName("ix_prior_auth_case_events_case_at");
        // Restrict: history outlives nothing; a case with events cannot be deleted by accident.
        e.HasOne<PriorAuthCaseRecord>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class QuestionnaireResponseConfiguration : IEntityTypeConfiguration<QuestionnaireResponseRecord>
{
    public void Configure(EntityTypeBuilder<QuestionnaireResponseRecord> e)
    {
        e.ToTable(QuestionnaireResponsesTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(200);
        e.Property(x => x.CaseId).HasMaxLength(200);
        e.Property(x => x.AssertionId).HasMaxLength(200);
        e.Property(x => x.ClientId).HasMaxLength(2000);
        e.Property(x => x.SubmittedIdentifier).HasMaxLength(2000);
        e.Property(x => x.ContentHash).HasMaxLength(64);
        e.Property(x => x.ProcessingState).HasConversion<WireCodeConverter<QuestionnaireResponseProcessingState>>().HasMaxLength(20);
        // The idempotency key of a submission (see QuestionnaireResponseStore).
        e.HasIndex(x => new { x.CaseId, x.ContentHash }).IsUnique().HasDatabaseName("ux_questionnaire_responses_idempotency_key");
        e.HasIndex(x => new { x.ProcessingState, x.ReceivedAt }).HasDatabaseName("ix_questionnaire_responses_state_received");
        e.HasOne<PriorAuthCaseRecord>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<CoverageAssertionRecord>().WithMany().HasForeignKey(x => x.AssertionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReviewDecisionConfiguration : IEntityTypeConfiguration<ReviewDecisionRecord>
{
    public void Configure(EntityTypeBuilder<ReviewDecisionRecord> e)
    {
        e.ToTable(ReviewDecisionsTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedOnAdd();
        e.Property(x => x.CaseId).HasMaxLength(200);
        e.Property(x => x.DecidedBy).HasMaxLength(200);
        e.Property(x => x.Role).HasMaxLength(50);
        e.Property(x => x.Decision).HasConversion<WireCodeConverter<ReviewDecisionKind>>().HasMaxLength(20);
        e.Property(x => x.PolicyReasonCode).HasMaxLength(200);
        e.Property(x => x.PriorAuthNumber).HasMaxLength(200);
        e.HasIndex(x => new { x.CaseId, x.DecidedAt, x.Id }).HasDatabaseName("ix_review_decisions_case_decided");
        e.HasOne<PriorAuthCaseRecord>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ReviewDecisionRecord>().WithMany().HasForeignKey(x => x.SupersedesDecisionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEventRecord>
{
    public void Configure(EntityTypeBuilder<AuditEventRecord> e)
    {
        // No foreign keys: an audit row must be writable for any access attempt, even to a case that does not exist.
        e.ToTable(AuditEventsTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedOnAdd();
        e.Property(x => x.ActorUserId).HasMaxLength(200);
        e.Property(x => x.ActorRole).HasMaxLength(50);
        e.Property(x => x.Action).HasMaxLength(100);
        e.Property(x => x.PatientReference).HasMaxLength(400);
        e.Property(x => x.CaseId).HasMaxLength(200);
        e.Property(x => x.ClientAddress).HasMaxLength(100);
        // Audits ask by actor, patient or case over a time range, newest first: each of those leads one index.
        e.HasIndex(x => new { x.At, x.Id }).HasDatabaseName("ix_audit_events_at");
        e.HasIndex(x => new { x.ActorUserId, x.At }).HasDatabaseName("ix_audit_events_actor_at");
        e.HasIndex(x => new { x.PatientReference, x.At }).HasDatabaseName("ix_audit_events_patient_at");
        e.HasIndex(x => new { x.CaseId, x.At }).HasDatabaseName("ix_audit_events_case_at");
    }
}

internal sealed class TokenUseConfiguration : IEntityTypeConfiguration<TokenUse>
{
    public void Configure(EntityTypeBuilder<TokenUse> e)
    {
        e.ToTable(TokenUsesTable);
        e.HasKey(x => x.TokenKey);
        e.Property(x => x.TokenKey).HasMaxLength(64);
        e.HasIndex(x => x.ExpiresAtUnixMs);
    }
}

// State that every instance must share (see the README's production topology).

/// <summary>A staff sign-in session; the cookie carries only its id, so ending the row ends the cookie on every instance.</summary>
/// <param name="ExpiresAt">Moves forward with each request (idle timeout); a request after it finds the session over.</param>
/// <param name="EndedAt">Set by sign-out; a session once ended stays ended.</param>
internal sealed record StaffSessionRow(string Id, string StaffUserId, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, DateTimeOffset? EndedAt);

/// <summary>
/// Failed sign-ins counted against one key (a user name or a client address, as a fingerprint) within a window.
/// Times are Unix milliseconds: the counting is one hand-written upsert, and plain integers read the same on both providers.
/// </summary>
internal sealed record SignInAttemptRow(string AttemptKey, int Failures, long WindowEndsAtUnixMs, long? LockedUntilUnixMs);

/// <summary>A key the service made for itself and every instance must share (e.g. the DTR access-token key).</summary>
/// <param name="ProtectedValue">The key as the host protected it (data protection); storage never sees it in the clear.</param>
internal sealed record ServiceKeyRow(string Name, string ProtectedValue, DateTimeOffset CreatedAt);

internal sealed class StaffSessionConfiguration : IEntityTypeConfiguration<StaffSessionRow>
{
    public void Configure(EntityTypeBuilder<StaffSessionRow> e)
    {
        e.ToTable(StaffSessionsTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.StaffUserId).HasMaxLength(200);
        e.HasIndex(x => x.StaffUserId);
        e.HasIndex(x => x.ExpiresAt);
    }
}

internal sealed class SignInAttemptConfiguration : IEntityTypeConfiguration<SignInAttemptRow>
{
    public void Configure(EntityTypeBuilder<SignInAttemptRow> e)
    {
        e.ToTable(SignInAttemptsTable);
        e.HasKey(x => x.AttemptKey);
        e.Property(x => x.AttemptKey).HasMaxLength(64);
        e.HasIndex(x => x.WindowEndsAtUnixMs);
    }
}

internal sealed class ServiceKeyConfiguration : IEntityTypeConfiguration<ServiceKeyRow>
{
    public void Configure(EntityTypeBuilder<ServiceKeyRow> e)
    {
        e.ToTable(ServiceKeysTable);
        e.HasKey(x => x.Name);
        e.Property(x => x.Name).HasMaxLength(100);
    }
}

/// <summary>
/// The ASP.NET Core data-protection key ring (<see cref="IDataProtectionKeyContext"/>): staff cookies, antiforgery
/// tokens and the stored access-token key are protected with these keys, so every instance must read the same ring.
/// </summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> e)
    {
        e.ToTable(DataProtectionKeysTable);
        e.HasKey(x => x.Id);
        e.Property(x => x.FriendlyName).HasMaxLength(200);
    }
}
