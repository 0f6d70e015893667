using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>A staff sign-in session; the cookie carries only its id, so ending the row ends the cookie on every instance.</summary>
internal sealed class StaffSessionRow
{
    public string Id { get; set; } = "";

    public string StaffUserId { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Moves forward with each request (idle timeout); a request after it finds the session over.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set by sign-out; a session once ended stays ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

internal sealed class StaffSessionConfiguration : IEntityTypeConfiguration<StaffSessionRow>
{
    public const string Table = "staff_sessions";

    public void Configure(EntityTypeBuilder<StaffSessionRow> e)
    {
        e.ToTable(Table);
        e.HasKey(x => x.Id).HasName("pk_" + Table);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
        e.Property(x => x.StaffUserId).HasColumnName("staff_user_id").HasMaxLength(200);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.LastSeenAt).HasColumnName("last_seen_at");
        e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
        e.Property(x => x.EndedAt).HasColumnName("ended_at");
        e.HasIndex(x => x.StaffUserId).HasDatabaseName("ix_staff_sessions_staff_user_id");
        e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_staff_sessions_expires_at");
    }
}
