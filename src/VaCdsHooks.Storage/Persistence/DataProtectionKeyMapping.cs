using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// The ASP.NET Core data-protection key ring (<see cref="IDataProtectionKeyContext"/>): staff cookies, antiforgery
/// tokens and the stored access-token key are protected with these keys, so every instance must read the same ring.
/// </summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public const string Table = "data_protection_keys";

    public void Configure(EntityTypeBuilder<DataProtectionKey> e)
    {
        e.ToTable(Table);
        e.HasKey(x => x.Id).HasName("pk_" + Table);
        e.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(x => x.FriendlyName).HasColumnName("friendly_name").HasMaxLength(200);
        e.Property(x => x.Xml).HasColumnName("xml");
    }
}
