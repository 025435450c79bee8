using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Tongxin.Host.Audit;

namespace Tongxin.Host.Persistence;

/// <summary>
/// The one database of the host. The schema is versioned by the hand-written migrations in
/// <c>Persistence/Migrations</c> (the EF design-time tools do not restore here; ADR 0002): any change
/// to this model needs a new migration, and <c>SchemaTests</c> fails when one is missing.
/// </summary>
public sealed class TongxinDbContext(DbContextOptions<TongxinDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Region> Regions => Set<Region>();
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<ChildFile> Children => Set<ChildFile>();
    public DbSet<ContactRecord> ChildContacts => Set<ContactRecord>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite hands DateTime back without a kind; every time in this system is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Region>(region =>
        {
            region.ToTable("Regions");
            region.HasKey(r => r.Code);
            region.Property(r => r.Code).HasMaxLength(32);
            region.Property(r => r.Name).HasMaxLength(100);
            region.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
            region.Property(r => r.ParentCode).HasMaxLength(32);
            region.Property(r => r.Path).HasMaxLength(200);
            region.HasIndex(r => r.Path);
            region.HasIndex(r => r.ParentCode);
        });

        modelBuilder.Entity<Organisation>(organisation =>
        {
            organisation.ToTable("Organisations");
            organisation.HasKey(o => o.Id);
            organisation.Property(o => o.Id).HasMaxLength(32);
            organisation.Property(o => o.Name).HasMaxLength(200);
            organisation.Property(o => o.Kind).HasConversion<string>().HasMaxLength(32);
            organisation.Property(o => o.RegionCode).HasMaxLength(32);
            organisation.Property(o => o.RegionPath).HasMaxLength(200);
            organisation.HasIndex(o => o.RegionPath);
        });

        modelBuilder.Entity<UserAccount>(user =>
        {
            user.ToTable("Users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasMaxLength(32);
            user.Property(u => u.UserName).HasMaxLength(64);
            user.Property(u => u.PasswordHash).HasMaxLength(256);
            user.Property(u => u.Role).HasConversion<string>().HasMaxLength(32);
            user.Property(u => u.RegionCode).HasMaxLength(32);
            user.Property(u => u.RegionPath).HasMaxLength(200);
            user.Property(u => u.OrganisationId).HasMaxLength(32);
            user.HasIndex(u => u.UserName).IsUnique();
        });

        modelBuilder.Entity<ChildFile>(child =>
        {
            child.ToTable("Children");
            child.HasKey(c => c.Id);
            child.Property(c => c.Id).HasMaxLength(32);
            child.Property(c => c.GivenName).HasMaxLength(50);
            child.Property(c => c.FamilyName).HasMaxLength(50);
            child.Property(c => c.Gender).HasConversion<string>().HasMaxLength(16);
            child.Property(c => c.VillageCode).HasMaxLength(32);
            child.Property(c => c.RegionPath).HasMaxLength(200);
            child.Property(c => c.Category).HasConversion<string>().HasMaxLength(32);
            child.Property(c => c.GuardianSituation).HasMaxLength(500);
            child.Property(c => c.RiskLevel).HasConversion<string>().HasMaxLength(16);
            child.Property(c => c.ConsentBy).HasMaxLength(50);
            child.Property(c => c.ConsentRelation).HasMaxLength(50);
            child.Property(c => c.CreatedByUserId).HasMaxLength(32);
            child.Property(c => c.Version).IsConcurrencyToken();
            child.HasIndex(c => c.RegionPath);
        });

        modelBuilder.Entity<ContactRecord>(contact =>
        {
            contact.ToTable("ChildContacts");
            contact.HasKey(c => c.Id);
            contact.Property(c => c.Id).HasMaxLength(32);
            contact.Property(c => c.ChildId).HasMaxLength(32);
            contact.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
            contact.Property(c => c.Notes).HasMaxLength(2000);
            contact.Property(c => c.RecordedByUserId).HasMaxLength(32);
            contact.HasIndex(c => new { c.ChildId, c.At });
        });

        modelBuilder.Entity<AuditEntry>(audit =>
        {
            audit.ToTable("AuditEntries");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.Id).HasMaxLength(32);
            audit.Property(a => a.UserId).HasMaxLength(32);
            audit.Property(a => a.Role).HasMaxLength(32);
            audit.Property(a => a.Action).HasMaxLength(64);
            audit.Property(a => a.SubjectType).HasMaxLength(32);
            audit.Property(a => a.SubjectId).HasMaxLength(32);
            audit.Property(a => a.Outcome).HasMaxLength(16);
            audit.HasIndex(a => new { a.SubjectType, a.SubjectId });
            audit.HasIndex(a => a.At);
        });

        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
