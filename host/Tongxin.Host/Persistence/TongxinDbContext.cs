using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Tongxin.Host.Audit;

namespace Tongxin.Host.Persistence;

/// <summary>
/// The one database of the host. The schema is versioned by the migrations in <c>Persistence/Migrations</c>
/// (ADR 0002 and its amendment; <c>dotnet ef migrations add</c>, README): any change to this model needs a new
/// migration; without it the host refuses to migrate (pending model changes) and <c>SchemaTests</c> fails.
/// </summary>
public sealed class TongxinDbContext(DbContextOptions<TongxinDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Region> Regions => Set<Region>();
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<ChildFile> Children => Set<ChildFile>();
    public DbSet<ContactRecord> ChildContacts => Set<ContactRecord>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<Need> Needs => Set<Need>();
    public DbSet<Offer> Offers => Set<Offer>();
    public DbSet<Pairing> Pairings => Set<Pairing>();
    public DbSet<PairingSession> PairingSessions => Set<PairingSession>();
    public DbSet<PurchasedServiceContract> Contracts => Set<PurchasedServiceContract>();
    public DbSet<ServiceDelivery> Deliveries => Set<ServiceDelivery>();
    public DbSet<RiskChange> RiskChanges => Set<RiskChange>();
    public DbSet<CareArrangement> CareArrangements => Set<CareArrangement>();
    public DbSet<CareArrangementChange> CareArrangementChanges => Set<CareArrangementChange>();
    public DbSet<Concern> Concerns => Set<Concern>();
    public DbSet<ConcernStep> ConcernSteps => Set<ConcernStep>();
    public DbSet<NeedEscalation> NeedEscalations => Set<NeedEscalation>();
    public DbSet<ChildMove> ChildMoves => Set<ChildMove>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationDelivery> NotificationDeliveries => Set<NotificationDelivery>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<ReportReminder> ReportReminders => Set<ReportReminder>();
    public DbSet<RosterComparison> RosterComparisons => Set<RosterComparison>();
    public DbSet<RosterComparisonItem> RosterComparisonItems => Set<RosterComparisonItem>();
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
            user.Property(u => u.SecurityStamp).HasMaxLength(32);
            user.Property(u => u.DisplayName).HasMaxLength(50);
            user.Property(u => u.Phone).HasMaxLength(20);
            user.Property(u => u.Email).HasMaxLength(254);
            user.Property(u => u.PhoneFailure).HasMaxLength(500);
            user.Property(u => u.EmailFailure).HasMaxLength(500);
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
            child.Property(c => c.PriorityGroupsJson).HasMaxLength(500);
            child.Property(c => c.ConsentPurposesJson).HasMaxLength(200);
            child.Property(c => c.ConsentWithdrawnReason).HasMaxLength(500);
            child.Property(c => c.ClosedReason).HasMaxLength(500);
            child.Property(c => c.Version).IsConcurrencyToken();
            child.HasIndex(c => c.RegionPath);
            // One child, one file: two files never carry the same national ID number (NULLs, the many files without one, are not equal).
            child.Property(c => c.NationalIdHash).HasMaxLength(64);
            child.HasIndex(c => c.NationalIdHash).IsUnique();
        });

        modelBuilder.Entity<ContactRecord>(contact =>
        {
            contact.ToTable("ChildContacts");
            contact.HasKey(c => c.Id);
            contact.Property(c => c.Id).HasMaxLength(32);
            contact.Property(c => c.ChildId).HasMaxLength(32);
            contact.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
            contact.Property(c => c.RecordedByUserId).HasMaxLength(32);
            contact.HasIndex(c => new { c.ChildId, c.At });
            // A file's last call and last home visit, each from the index's last entry (M0007).
            contact.HasIndex(c => new { c.ChildId, c.Kind, c.At });
            // A contact recorded offline and sent twice (a flaky connection) is stored once (NULLs, contacts sent without a key, are not equal).
            contact.Property(c => c.IdempotencyKey).HasMaxLength(100);
            contact.Property(c => c.RequestHash).HasMaxLength(64);
            contact.HasIndex(c => new { c.ChildId, c.IdempotencyKey }).IsUnique();
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
        ConfigureMatching(modelBuilder);
        ConfigurePurchasedServices(modelBuilder);
        ConfigureSafeguarding(modelBuilder);
        ConfigureRosterComparisons(modelBuilder);
    }

    // The quarterly comparison with education's and the police's rosters (issue 19, point 3; M0015, ADR 0025). Kept in
    // a block of its own: a migration made meanwhile on another branch is regenerated on merge without touching it.
    private static void ConfigureRosterComparisons(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RosterComparison>(comparison =>
        {
            comparison.ToTable("RosterComparisons");
            comparison.HasKey(c => c.Id);
            comparison.Property(c => c.Id).HasMaxLength(32);
            comparison.Property(c => c.CountyCode).HasMaxLength(32);
            comparison.Property(c => c.RegionPath).HasMaxLength(200);
            comparison.Property(c => c.Source).HasConversion<string>().HasMaxLength(16);
            comparison.Property(c => c.Quarter).HasMaxLength(8);
            comparison.Property(c => c.UploadedByUserId).HasMaxLength(32);
            comparison.Property(c => c.Version).IsConcurrencyToken();
            // One comparison per county, source and quarter.
            comparison.HasIndex(c => new { c.CountyCode, c.Source, c.Quarter }).IsUnique();
            comparison.HasIndex(c => c.RegionPath);
        });

        modelBuilder.Entity<RosterComparisonItem>(item =>
        {
            item.ToTable("RosterComparisonItems");
            item.HasKey(i => i.Id);
            item.Property(i => i.Id).HasMaxLength(32);
            item.Property(i => i.ComparisonId).HasMaxLength(32);
            item.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
            item.Property(i => i.VillageCode).HasMaxLength(32);
            item.Property(i => i.RegionPath).HasMaxLength(200);
            item.Property(i => i.RosterName).HasMaxLength(50);
            item.Property(i => i.RosterVillageCode).HasMaxLength(32);
            item.Property(i => i.RosterSchool).HasMaxLength(100);
            item.Property(i => i.RosterGrade).HasMaxLength(20);
            item.Property(i => i.ChildId).HasMaxLength(32);
            item.Property(i => i.DifferencesJson).HasMaxLength(1000);
            item.Property(i => i.Resolution).HasConversion<string>().HasMaxLength(32);
            item.Property(i => i.ResolutionNote).HasMaxLength(4000); // sealed: a 500-character note and the cipher's overhead
            item.Property(i => i.ResolvedChildId).HasMaxLength(32);
            item.Property(i => i.ResolvedByUserId).HasMaxLength(32);
            item.HasIndex(i => new { i.ComparisonId, i.RegionPath });
        });
    }

    private static void ConfigureSafeguarding(ModelBuilder modelBuilder)
    {
        // Who looks after the child (issue 19): one arrangement per child, and its history.
        modelBuilder.Entity<CareArrangement>(care =>
        {
            care.ToTable("CareArrangements");
            care.HasKey(c => c.ChildId);
            care.Property(c => c.ChildId).HasMaxLength(32);
            care.Property(c => c.FatherPresence).HasConversion<string>().HasMaxLength(16);
            care.Property(c => c.MotherPresence).HasConversion<string>().HasMaxLength(16);
            care.Property(c => c.CarerAbility).HasConversion<string>().HasMaxLength(16);
            care.Property(c => c.UpdatedByUserId).HasMaxLength(32);
            care.Property(c => c.RaisedFor).HasMaxLength(100);
            care.Property(c => c.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<CareArrangementChange>(change =>
        {
            change.ToTable("CareArrangementChanges");
            change.HasKey(c => c.Id);
            change.Property(c => c.Id).HasMaxLength(32);
            change.Property(c => c.ChildId).HasMaxLength(32);
            change.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
            change.Property(c => c.ByUserId).HasMaxLength(32);
            change.HasIndex(c => new { c.ChildId, c.At });
        });

        modelBuilder.Entity<RiskChange>(risk =>
        {
            risk.ToTable("RiskChanges");
            risk.HasKey(r => r.Id);
            risk.Property(r => r.Id).HasMaxLength(32);
            risk.Property(r => r.ChildId).HasMaxLength(32);
            risk.Property(r => r.From).HasConversion<string>().HasMaxLength(16);
            risk.Property(r => r.To).HasConversion<string>().HasMaxLength(16);
            risk.Property(r => r.Reason).HasMaxLength(500);
            risk.Property(r => r.ConcernId).HasMaxLength(32);
            risk.Property(r => r.ByUserId).HasMaxLength(32);
            risk.HasIndex(r => new { r.ChildId, r.At });
        });

        modelBuilder.Entity<Concern>(concern =>
        {
            concern.ToTable("Concerns");
            concern.HasKey(c => c.Id);
            concern.Property(c => c.Id).HasMaxLength(32);
            concern.Property(c => c.ChildId).HasMaxLength(32);
            concern.Property(c => c.RegionPath).HasMaxLength(200);
            concern.Property(c => c.Kind).HasConversion<string>().HasMaxLength(32);
            concern.Property(c => c.Stage).HasConversion<string>().HasMaxLength(32);
            concern.Property(c => c.RaisedByUserId).HasMaxLength(32);
            concern.Property(c => c.RaisedByRole).HasMaxLength(32);
            concern.Property(c => c.PoliceReference).HasMaxLength(100);
            concern.Property(c => c.Version).IsConcurrencyToken();
            concern.HasIndex(c => c.RegionPath);
            concern.HasIndex(c => c.ChildId);
        });

        modelBuilder.Entity<ConcernStep>(step =>
        {
            step.ToTable("ConcernSteps");
            step.HasKey(s => s.Id);
            step.Property(s => s.Id).HasMaxLength(32);
            step.Property(s => s.ConcernId).HasMaxLength(32);
            step.Property(s => s.Step).HasMaxLength(32);
            step.Property(s => s.ByUserId).HasMaxLength(32);
            step.Property(s => s.Reference).HasMaxLength(100);
            step.HasIndex(s => new { s.ConcernId, s.At });
        });
    }

    private static void ConfigurePurchasedServices(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PurchasedServiceContract>(contract =>
        {
            contract.ToTable("PurchasedServiceContracts");
            contract.HasKey(c => c.Id);
            contract.Property(c => c.Id).HasMaxLength(32);
            contract.Property(c => c.OrganisationId).HasMaxLength(32);
            contract.Property(c => c.Line).HasMaxLength(64);
            contract.Property(c => c.Title).HasMaxLength(200);
            contract.Property(c => c.CoveredPathsJson).HasMaxLength(4000);
            contract.Property(c => c.RegionPath).HasMaxLength(200);
            contract.Property(c => c.UnitKind).HasConversion<string>().HasMaxLength(16);
            contract.Property(c => c.FundingSource).HasConversion<string>().HasMaxLength(32);
            contract.Property(c => c.CreatedByUserId).HasMaxLength(32);
            contract.Property(c => c.Version).IsConcurrencyToken();
            contract.HasIndex(c => c.RegionPath);
            contract.HasIndex(c => c.OrganisationId);
        });

        modelBuilder.Entity<ServiceDelivery>(delivery =>
        {
            delivery.ToTable("ServiceDeliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.Id).HasMaxLength(32);
            delivery.Property(d => d.ContractId).HasMaxLength(32);
            delivery.Property(d => d.ChildId).HasMaxLength(32);
            delivery.Property(d => d.RegionPath).HasMaxLength(200);
            delivery.Property(d => d.Kind).HasConversion<string>().HasMaxLength(16);
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.Property(d => d.CorrectsId).HasMaxLength(32);
            delivery.Property(d => d.StatusReason).HasMaxLength(500);
            delivery.Property(d => d.IdempotencyKey).HasMaxLength(100);
            delivery.Property(d => d.RequestHash).HasMaxLength(64);
            delivery.Property(d => d.ReportedByUserId).HasMaxLength(32);
            delivery.HasIndex(d => new { d.ContractId, d.IdempotencyKey }).IsUnique();
            delivery.HasIndex(d => new { d.ContractId, d.At });
            delivery.HasIndex(d => new { d.ChildId, d.At });
        });
    }

    private static void ConfigureMatching(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Provider>(provider =>
        {
            provider.ToTable("Providers");
            provider.HasKey(p => p.Id);
            provider.Property(p => p.Id).HasMaxLength(32);
            provider.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
            provider.Property(p => p.DisplayName).HasMaxLength(200);
            provider.Property(p => p.Gender).HasConversion<string>().HasMaxLength(16);
            provider.Property(p => p.RegionCode).HasMaxLength(32);
            provider.Property(p => p.RegionPath).HasMaxLength(200);
            provider.Property(p => p.CoveredPathsJson).HasMaxLength(4000);
            provider.Property(p => p.LinesJson).HasMaxLength(500);
            provider.Property(p => p.OfferJson).HasMaxLength(8000);
            provider.Property(p => p.AvailabilityJson).HasMaxLength(500);
            provider.Property(p => p.OrganisationId).HasMaxLength(32);
            provider.Property(p => p.UserId).HasMaxLength(32);
            provider.Property(p => p.FundingSource).HasMaxLength(100);
            provider.Property(p => p.VettingStatus).HasConversion<string>().HasMaxLength(16);
            provider.Property(p => p.VettingReference).HasMaxLength(100);
            provider.Property(p => p.CreatedByUserId).HasMaxLength(32);
            provider.Property(p => p.Version).IsConcurrencyToken();
            provider.HasIndex(p => p.RegionPath);
            provider.HasIndex(p => p.UserId);
        });

        modelBuilder.Entity<Need>(need =>
        {
            need.ToTable("Needs");
            need.HasKey(n => n.Id);
            need.Property(n => n.Id).HasMaxLength(32);
            need.Property(n => n.ChildId).HasMaxLength(32);
            need.Property(n => n.Line).HasMaxLength(64);
            need.Property(n => n.DetailsJson).HasMaxLength(4000);
            need.Property(n => n.Urgency).HasConversion<string>().HasMaxLength(16);
            need.Property(n => n.Status).HasConversion<string>().HasMaxLength(16);
            need.Property(n => n.RegionPath).HasMaxLength(200);
            need.Property(n => n.CountyCode).HasMaxLength(32);
            need.Property(n => n.PairingId).HasMaxLength(32);
            need.Property(n => n.CreatedByUserId).HasMaxLength(32);
            need.Property(n => n.Version).IsConcurrencyToken();
            need.HasIndex(n => new { n.Line, n.CountyCode, n.Status });
            need.HasIndex(n => n.ChildId);
            need.HasIndex(n => n.RegionPath);
        });

        modelBuilder.Entity<Offer>(offer =>
        {
            offer.ToTable("Offers");
            offer.HasKey(o => o.Id);
            offer.Property(o => o.Id).HasMaxLength(32);
            offer.Property(o => o.NeedId).HasMaxLength(32);
            offer.Property(o => o.ProviderId).HasMaxLength(32);
            offer.Property(o => o.Line).HasMaxLength(64);
            offer.Property(o => o.ReasonsJson).HasMaxLength(4000);
            offer.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            offer.Property(o => o.RespondedByUserId).HasMaxLength(32);
            offer.Property(o => o.DeclineReason).HasMaxLength(500);
            offer.Property(o => o.Version).IsConcurrencyToken();
            offer.HasIndex(o => new { o.ProviderId, o.Status });
            offer.HasIndex(o => new { o.NeedId, o.Status });
        });

        modelBuilder.Entity<Pairing>(pairing =>
        {
            pairing.ToTable("Pairings");
            pairing.HasKey(p => p.Id);
            pairing.Property(p => p.Id).HasMaxLength(32);
            pairing.Property(p => p.NeedId).HasMaxLength(32);
            pairing.Property(p => p.ChildId).HasMaxLength(32);
            pairing.Property(p => p.ProviderId).HasMaxLength(32);
            pairing.Property(p => p.OfferId).HasMaxLength(32);
            pairing.Property(p => p.Line).HasMaxLength(64);
            pairing.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
            pairing.Property(p => p.EndReason).HasMaxLength(500);
            pairing.Property(p => p.EndedByUserId).HasMaxLength(32);
            pairing.HasIndex(p => p.OfferId).IsUnique();
            pairing.HasIndex(p => new { p.ProviderId, p.Status });
            pairing.HasIndex(p => new { p.ChildId, p.Status });
        });

        modelBuilder.Entity<PairingSession>(session =>
        {
            session.ToTable("PairingSessions");
            session.HasKey(s => s.Id);
            session.Property(s => s.Id).HasMaxLength(32);
            session.Property(s => s.PairingId).HasMaxLength(32);
            session.Property(s => s.RecordedByUserId).HasMaxLength(32);
            session.HasIndex(s => new { s.PairingId, s.At });
            session.Property(s => s.IdempotencyKey).HasMaxLength(100);
            session.Property(s => s.RequestHash).HasMaxLength(64);
            session.HasIndex(s => new { s.PairingId, s.IdempotencyKey }).IsUnique();
        });

        modelBuilder.Entity<NeedEscalation>(escalation =>
        {
            escalation.ToTable("NeedEscalations");
            escalation.HasKey(e => e.Id);
            escalation.Property(e => e.Id).HasMaxLength(32);
            escalation.Property(e => e.NeedId).HasMaxLength(32);
            escalation.Property(e => e.Line).HasMaxLength(64);
            escalation.Property(e => e.RegionPath).HasMaxLength(200);
            escalation.Property(e => e.Level).HasConversion<string>().HasMaxLength(16);
            escalation.Property(e => e.ReasonCode).HasMaxLength(64);
            escalation.HasIndex(e => new { e.NeedId, e.Level }).IsUnique();
            escalation.HasIndex(e => e.RegionPath);
        });

        modelBuilder.Entity<Notification>(notification =>
        {
            notification.ToTable("Notifications");
            notification.HasKey(n => n.Id);
            notification.Property(n => n.Id).HasMaxLength(32);
            notification.Property(n => n.UserId).HasMaxLength(32);
            notification.Property(n => n.Event).HasMaxLength(64);
            notification.Property(n => n.Link).HasMaxLength(200);
            notification.Property(n => n.ArgsJson).HasMaxLength(1000);
            // The inbox: a user's newest first, and their unread count.
            notification.HasIndex(n => new { n.UserId, n.CreatedAt });
            notification.HasIndex(n => new { n.UserId, n.ReadAt });
            notification.Property(n => n.ClaimToken).HasMaxLength(32);
            // The sender's queue: the ones not yet dispatched.
            notification.HasIndex(n => n.DispatchedAt);
        });
        modelBuilder.Entity<NotificationDelivery>(delivery =>
        {
            delivery.ToTable("NotificationDeliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.Id).HasMaxLength(32);
            delivery.Property(d => d.NotificationId).HasMaxLength(32);
            delivery.Property(d => d.UserId).HasMaxLength(32);
            delivery.Property(d => d.Channel).HasMaxLength(16);
            delivery.Property(d => d.Address).HasMaxLength(254);
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.Property(d => d.ClaimToken).HasMaxLength(32);
            delivery.Property(d => d.LastError).HasMaxLength(500);
            delivery.Property(d => d.ProviderMessageId).HasMaxLength(100);
            // Once per notification and channel, however many hosts dispatch it.
            delivery.HasIndex(d => new { d.NotificationId, d.Channel }).IsUnique();
            // The sender's queue: what is due.
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
        });
        modelBuilder.Entity<NotificationPreference>(preference =>
        {
            preference.ToTable("NotificationPreferences");
            preference.HasKey(p => new { p.UserId, p.Event, p.Channel });
            preference.Property(p => p.UserId).HasMaxLength(32);
            preference.Property(p => p.Event).HasMaxLength(64);
            preference.Property(p => p.Channel).HasMaxLength(16);
        });
        modelBuilder.Entity<ChildMove>(move =>
        {
            move.ToTable("ChildMoves");
            move.HasKey(m => m.Id);
            move.Property(m => m.Id).HasMaxLength(32);
            move.Property(m => m.ChildId).HasMaxLength(32);
            move.Property(m => m.FromPath).HasMaxLength(200);
            move.Property(m => m.ToPath).HasMaxLength(200);
            move.Property(m => m.ByUserId).HasMaxLength(32);
            move.Property(m => m.Reason).HasMaxLength(500);
            move.HasIndex(m => new { m.ChildId, m.At });
        });

        modelBuilder.Entity<ReportReminder>(reminder =>
        {
            reminder.ToTable("ReportReminders");
            reminder.HasKey(r => r.Id);
            reminder.Property(r => r.Id).HasMaxLength(32);
            reminder.Property(r => r.Kind).HasMaxLength(16);
            reminder.Property(r => r.Period).HasMaxLength(16);
            reminder.Property(r => r.TownCode).HasMaxLength(32);
            reminder.Property(r => r.RegionPath).HasMaxLength(200);
            reminder.HasIndex(r => new { r.Kind, r.Period, r.TownCode }).IsUnique();
            reminder.HasIndex(r => r.RegionPath);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
