using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// The one model shared by both providers. Each provider has a derived context
/// (<see cref="SqliteVaCdsHooksDbContext"/>, <see cref="PostgresVaCdsHooksDbContext"/>) so each gets its own migrations.
/// Table names are plural snake_case nouns so later tables (questionnaire_responses, prior_auth_cases,
/// case_reviews, audit_events) sit beside them naturally; PostgreSQL users can query without quoting.
/// </summary>
public abstract class VaCdsHooksDbContext : DbContext
{
    internal const string HookExchangesTable = "hook_exchanges";
    internal const string CardFeedbackTable = "card_feedback";
    internal const string CoverageAssertionsTable = "coverage_assertions";
    internal const string AssertionCriteriaTable = "coverage_assertion_criteria";

    protected VaCdsHooksDbContext(DbContextOptions options)
        : base(options)
    {
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
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
        });

        ApplySnakeCaseNames(modelBuilder);
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
