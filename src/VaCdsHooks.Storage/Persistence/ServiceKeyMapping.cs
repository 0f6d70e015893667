using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>A key the service made for itself and every instance must share (e.g. the DTR access-token key), stored protected.</summary>
internal sealed class ServiceKeyRow
{
    public string Name { get; set; } = "";

    /// <summary>The key as the host protected it (data protection); storage never sees it in the clear.</summary>
    public string ProtectedValue { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ServiceKeyConfiguration : IEntityTypeConfiguration<ServiceKeyRow>
{
    public const string Table = "service_keys";

    public void Configure(EntityTypeBuilder<ServiceKeyRow> e)
    {
        e.ToTable(Table);
        e.HasKey(x => x.Name).HasName("pk_" + Table);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(x => x.ProtectedValue).HasColumnName("protected_value");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
    }
}
