using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>Schema version 2: the child's file (一人一档) and the contact log.</summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261123000002_ChildFiles")]
public sealed class M0002_ChildFiles : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Children",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                GivenName = table.Column<string>(maxLength: 50, nullable: false),
                FamilyName = table.Column<string>(maxLength: 50, nullable: false),
                Gender = table.Column<string>(maxLength: 16, nullable: false),
                BirthDate = table.Column<DateOnly>(nullable: false),
                VillageCode = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                Category = table.Column<string>(maxLength: 32, nullable: false),
                GuardianSituation = table.Column<string>(maxLength: 500, nullable: false),
                RiskLevel = table.Column<string>(maxLength: 16, nullable: false),
                ConsentBy = table.Column<string>(maxLength: 50, nullable: true),
                ConsentRelation = table.Column<string>(maxLength: 50, nullable: true),
                ConsentRecordedAt = table.Column<DateTime>(nullable: true),
                CreatedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Children", c => c.Id));
        migrationBuilder.CreateIndex("IX_Children_RegionPath", "Children", "RegionPath");

        migrationBuilder.CreateTable(
            name: "ChildContacts",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                At = table.Column<DateTime>(nullable: false),
                Notes = table.Column<string>(maxLength: 2000, nullable: false),
                RecordedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                RecordedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_ChildContacts", c => c.Id));
        migrationBuilder.CreateIndex("IX_ChildContacts_ChildId_At", "ChildContacts", ["ChildId", "At"]);
    }
}
