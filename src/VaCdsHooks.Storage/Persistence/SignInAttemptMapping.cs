using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// Failed sign-ins counted against one key (a user name or a client address, as a fingerprint) within a window.
/// Times are Unix milliseconds: the counting is one hand-written upsert, and plain integers read the same on both providers.
/// </summary>
internal sealed class SignInAttemptRow
{
    public string AttemptKey { get; set; } = "";

    public int Failures { get; set; }

    public long WindowEndsAtUnixMs { get; set; }

    public long? LockedUntilUnixMs { get; set; }
}

internal sealed class SignInAttemptConfiguration : IEntityTypeConfiguration<SignInAttemptRow>
{
    public const string Table = "sign_in_attempts";

    public void Configure(EntityTypeBuilder<SignInAttemptRow> e)
    {
        e.ToTable(Table);
        e.HasKey(x => x.AttemptKey).HasName("pk_" + Table);
        e.Property(x => x.AttemptKey).HasColumnName("attempt_key").HasMaxLength(64);
        e.Property(x => x.Failures).HasColumnName("failures");
        e.Property(x => x.WindowEndsAtUnixMs).HasColumnName("window_ends_at_unix_ms");
        e.Property(x => x.LockedUntilUnixMs).HasColumnName("locked_until_unix_ms");
        e.HasIndex(x => x.WindowEndsAtUnixMs).HasDatabaseName("ix_sign_in_attempts_window_ends_at_unix_ms");
    }
}
