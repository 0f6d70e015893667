using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// The one model shared by both providers. Each provider has a derived context
/// (<see cref="SqliteVaCdsHooksDbContext"/>, <see cref="PostgresVaCdsHooksDbContext"/>) so each gets its own migrations.
/// Table names are plural snake_case nouns (hook_exchanges, prior_auth_cases, review_decisions, audit_events, ...);
/// PostgreSQL users can query without quoting.
/// </summary>
public abstract class VaCdsHooksDbContext : DbContext, IDataProtectionKeyContext
{
    internal const string HookExchangesTable = "hook_exchanges";
    internal const string CardFeedbackTable = "card_feedback";
    internal const string CoverageAssertionsTable = "coverage_assertions";
    internal const string AssertionCriteriaTable = "coverage_assertion_criteria";
    internal const string PriorAuthCasesTable = "prior_auth_cases";
    internal const string PriorAuthCaseEventsTable = "prior_auth_case_events";
    internal const string QuestionnaireResponsesTable = "questionnaire_responses";
    internal const string ReviewDecisionsTable = "review_decisions";
    internal const string AuditEventsTable = "audit_events";
    internal const string TokenUsesTable = "token_uses";

    protected VaCdsHooksDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The data-protection key ring, shared by every instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // State every instance shares (see the README's production topology).
        modelBuilder.ApplyConfiguration(new DataProtectionKeyConfiguration());
        modelBuilder.ApplyConfiguration(new StaffSessionConfiguration());
        modelBuilder.ApplyConfiguration(new SignInAttemptConfiguration());
        modelBuilder.ApplyConfiguration(new ServiceKeyConfiguration());

        modelBuilder.Entity<TokenUseEntity>(e =>
        {
            e.ToTable(TokenUsesTable);
            e.HasKey(x => x.TokenKey);
            e.Property(x => x.TokenKey).HasMaxLength(64);
            e.HasIndex(x => x.ExpiresAtUnixMs).HasDatabaseName("ix_token_uses_expires_at_unix_ms");
        });

        modelBuilder.Entity<HookExchangeEntity>(e =>
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
            e.HasIndex(x => x.HookInstance);
            // Id is the tie-breaker for newest-first keyset paging, so the index serves the whole ORDER BY.
            e.HasIndex(x => new { x.PatientId, x.ReceivedAt, x.Id });
            e.OwnsOne(x => x.Chart, chart =>
            {
                chart.ToTable("hook_exchange_charts");
                chart.WithOwner().HasForeignKey("HookExchangeId");
                chart.Property(c => c.Bundle).IsRequired();
            });
        });

        modelBuilder.Entity<CardFeedbackEntity>(e =>
        {
            e.ToTable(CardFeedbackTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.ServiceId).HasMaxLength(200);
            e.Property(x => x.ClientIssuer).HasMaxLength(2000);
            e.Property(x => x.CardUuid).HasMaxLength(200);
            e.Property(x => x.Outcome).HasMaxLength(20);
            e.Property(x => x.OverrideReasonSystem).HasMaxLength(2000);
            e.Property(x => x.OverrideReasonCode).HasMaxLength(200);
            // The idempotency key of a feedback POST (see CardFeedbackStore).
            e.HasIndex(x => new { x.ServiceId, x.ClientIssuer, x.CardUuid, x.OutcomeTimestamp }).IsUnique()
                .HasDatabaseName("ux_card_feedback_idempotency_key");
        });

        modelBuilder.Entity<CoverageAssertionEntity>(e =>
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
            e.HasMany(x => x.Criteria).WithOne().HasForeignKey(c => c.AssertionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AssertionCriterionEntity>(e =>
        {
            e.ToTable(AssertionCriteriaTable);
            e.HasKey(x => new { x.AssertionId, x.Ordinal });
            e.Property(x => x.Ordinal).ValueGeneratedNever();
            e.Property(x => x.CriterionId).HasMaxLength(200);
            e.Property(x => x.Kind).HasMaxLength(20);
            e.Property(x => x.Status).HasMaxLength(50);
            // Rows written before flags existed read as "no flags".
            e.Property(x => x.FlagsJson).HasDefaultValueSql("'[]'");
        });

        ConfigurePriorAuthFlow(modelBuilder);
        ApplySnakeCaseNames(modelBuilder);
    }

    /// <summary>The DTR / prior-authorization tables: cases, their history, received QuestionnaireResponses, review decisions and the audit log.</summary>
    private static void ConfigurePriorAuthFlow(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PriorAuthCaseEntity>(e =>
        {
            e.ToTable(PriorAuthCasesTable);
            e.HasKey(x => x.CaseId);
            e.Property(x => x.CaseId).HasMaxLength(200);
            e.Property(x => x.AssertionId).HasMaxLength(200);
            e.Property(x => x.PatientReference).HasMaxLength(400);
            e.Property(x => x.OrderReference).HasMaxLength(400);
            e.Property(x => x.CoverageReference).HasMaxLength(400);
            e.Property(x => x.Status).HasMaxLength(50);
            e.Property(x => x.PriorAuthNumber).HasMaxLength(200);
            e.Property(x => x.IndicationLabel).HasMaxLength(200);
            e.Property(x => x.Version).IsConcurrencyToken();
            // One case per assertion: the conflict target of CreateIfAbsent.
            e.HasIndex(x => x.AssertionId).IsUnique().HasDatabaseName("ux_prior_auth_cases_assertion_id");
            // NULLs are distinct in unique indexes on both providers, so only issued numbers must be unique.
            e.HasIndex(x => x.PriorAuthNumber).IsUnique().HasDatabaseName("ux_prior_auth_cases_prior_auth_number");
            e.HasIndex(x => new { x.Status, x.CreatedAt }).HasDatabaseName("ix_prior_auth_cases_status_created");
            // created_at last so "latest case for this order" is answered from the index.
            e.HasIndex(x => new { x.PatientReference, x.OrderReference, x.CreatedAt }).HasDatabaseName("ix_prior_auth_cases_patient_order_created");
            e.HasOne<CoverageAssertionEntity>().WithMany().HasForeignKey(x => x.AssertionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<PriorAuthCaseEventEntity>(e =>
        {
            e.ToTable(PriorAuthCaseEventsTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.CaseId).HasMaxLength(200);
            e.Property(x => x.Kind).HasMaxLength(50);
            e.Property(x => x.Actor).HasMaxLength(200);
            e.HasIndex(x => new { x.CaseId, x.At, x.Id }).HasDatabaseName("ix_prior_auth_case_events_case_at");
            // Restrict: history outlives nothing; a case with events cannot be deleted by accident.
            e.HasOne<PriorAuthCaseEntity>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<QuestionnaireResponseEntity>(e =>
        {
            e.ToTable(QuestionnaireResponsesTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(200);
            e.Property(x => x.CaseId).HasMaxLength(200);
            e.Property(x => x.AssertionId).HasMaxLength(200);
            e.Property(x => x.ClientId).HasMaxLength(2000);
            e.Property(x => x.SubmittedIdentifier).HasMaxLength(2000);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.Property(x => x.ProcessingState).HasMaxLength(20);
            // The idempotency key of a submission (see QuestionnaireResponseStore).
            e.HasIndex(x => new { x.CaseId, x.ContentHash }).IsUnique().HasDatabaseName("ux_questionnaire_responses_idempotency_key");
            e.HasIndex(x => new { x.ProcessingState, x.ReceivedAt }).HasDatabaseName("ix_questionnaire_responses_state_received");
            e.HasOne<PriorAuthCaseEntity>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<CoverageAssertionEntity>().WithMany().HasForeignKey(x => x.AssertionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ReviewDecisionEntity>(e =>
        {
            e.ToTable(ReviewDecisionsTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.CaseId).HasMaxLength(200);
            e.Property(x => x.DecidedBy).HasMaxLength(200);
            e.Property(x => x.Role).HasMaxLength(50);
            e.Property(x => x.Decision).HasMaxLength(20);
            e.Property(x => x.PolicyReasonCode).HasMaxLength(200);
            e.Property(x => x.PriorAuthNumber).HasMaxLength(200);
            e.HasIndex(x => new { x.CaseId, x.DecidedAt, x.Id }).HasDatabaseName("ix_review_decisions_case_decided");
            e.HasOne<PriorAuthCaseEntity>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ReviewDecisionEntity>().WithMany().HasForeignKey(x => x.SupersedesDecisionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<AuditEventEntity>(e =>
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
            // Each query filter leads one index; (at, id) is the newest-first keyset order.
            e.HasIndex(x => new { x.At, x.Id }).HasDatabaseName("ix_audit_events_at");
            e.HasIndex(x => new { x.ActorUserId, x.At }).HasDatabaseName("ix_audit_events_actor_at");
            e.HasIndex(x => new { x.PatientReference, x.At }).HasDatabaseName("ix_audit_events_patient_at");
            e.HasIndex(x => new { x.CaseId, x.At }).HasDatabaseName("ix_audit_events_case_at");
        });
    }

    /// <summary>Names columns, keys and indexes in snake_case with predictable prefixes (pk_, fk_, ix_, ux_).</summary>
    private static void ApplySnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            entity.FindPrimaryKey()?.SetName($"pk_{table}");
            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName($"fk_{table}_{foreignKey.PrincipalEntityType.GetTableName()}");
            }

            // Indexes named explicitly keep their names (PostgreSQL cuts identifiers at 63 bytes).
            foreach (var index in entity.GetIndexes().Where(i => i.FindAnnotation(RelationalAnnotationNames.Name) is null))
            {
                var columns = string.Join('_', index.Properties.Select(p => ToSnakeCase(p.Name)));
                index.SetDatabaseName($"{(index.IsUnique ? "ux" : "ix")}_{table}_{columns}");
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
