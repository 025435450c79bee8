using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tongxin.Modules.Contracts;

namespace Tongxin.Samples.LegalAid;

/// <summary>
/// The line's own table, in the host's database (SQLite or PostgreSQL, whichever the host runs on). The host registers
/// and migrates it because it is marked <see cref="IModuleDbContext"/>; its migrations are recorded in
/// <c>__tongxin_legal_aid_migrations</c>.
/// </summary>
public sealed class LegalAidDbContext(DbContextOptions<LegalAidDbContext> options) : DbContext(options), IModuleDbContext
{
    public DbSet<LegalAidCase> Cases => Set<LegalAidCase>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<LegalAidCase>(c =>
        {
            c.ToTable("legal_aid_cases");
            c.HasKey(x => x.Id);
            c.Property(x => x.Id).HasMaxLength(32);
            c.Property(x => x.ChildId).HasMaxLength(32);
            c.Property(x => x.RegionPath).HasMaxLength(200);
            c.Property(x => x.CaseKind).HasMaxLength(32);
            c.Property(x => x.Status).HasMaxLength(16);
            c.Property(x => x.OpenedByUserId).HasMaxLength(32);
            c.HasIndex(x => x.RegionPath);
            c.HasIndex(x => x.ChildId);
        });
    }
}

/// <summary>A legal-aid case opened for a child. The child's region path is kept with it, so a list is scoped in SQL.</summary>
public sealed class LegalAidCase
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required string RegionPath { get; set; }
    public required string CaseKind { get; init; }
    public required string Status { get; set; }
    public required DateTime OpenedAt { get; init; }
    public required string OpenedByUserId { get; init; }
}

/// <summary>
/// The first version of the line's table. Hand-written without store types, as the host's migrations are (its
/// ADR 0002), so one migration serves SQLite and PostgreSQL.
/// </summary>
[DbContext(typeof(LegalAidDbContext))]
[Migration("20261203000001_LegalAidCases")]
public sealed class M0001_LegalAidCases : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "legal_aid_cases",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                CaseKind = table.Column<string>(maxLength: 32, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                OpenedAt = table.Column<DateTime>(nullable: false),
                OpenedByUserId = table.Column<string>(maxLength: 32, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_legal_aid_cases", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_legal_aid_cases_RegionPath", table: "legal_aid_cases", column: "RegionPath");
        migrationBuilder.CreateIndex(name: "IX_legal_aid_cases_ChildId", table: "legal_aid_cases", column: "ChildId");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "legal_aid_cases");
}
