using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>
/// Schema version 1: regions, organisations, users, audit, data-protection keys. Written by hand
/// with provider-neutral column types, so one migration serves SQLite and PostgreSQL (ADR 0002).
/// Never edit a migration that has shipped: add the next one.
/// </summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261123000001_Initial")]
public sealed class M0001_Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Regions",
            columns: table => new
            {
                Code = table.Column<string>(maxLength: 32, nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                ParentCode = table.Column<string>(maxLength: 32, nullable: true),
                Path = table.Column<string>(maxLength: 200, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Regions", r => r.Code));
        migrationBuilder.CreateIndex("IX_Regions_Path", "Regions", "Path");
        migrationBuilder.CreateIndex("IX_Regions_ParentCode", "Regions", "ParentCode");

        migrationBuilder.CreateTable(
            name: "Organisations",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Kind = table.Column<string>(maxLength: 32, nullable: false),
                RegionCode = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Organisations", o => o.Id));
        migrationBuilder.CreateIndex("IX_Organisations_RegionPath", "Organisations", "RegionPath");

        migrationBuilder.CreateTable(
            name: "Users",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                UserName = table.Column<string>(maxLength: 64, nullable: false),
                PasswordHash = table.Column<string>(maxLength: 256, nullable: false),
                Role = table.Column<string>(maxLength: 32, nullable: false),
                RegionCode = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                OrganisationId = table.Column<string>(maxLength: 32, nullable: true),
                Active = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Users", u => u.Id));
        migrationBuilder.CreateIndex("IX_Users_UserName", "Users", "UserName", unique: true);

        migrationBuilder.CreateTable(
            name: "AuditEntries",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                At = table.Column<DateTime>(nullable: false),
                UserId = table.Column<string>(maxLength: 32, nullable: true),
                Role = table.Column<string>(maxLength: 32, nullable: true),
                Action = table.Column<string>(maxLength: 64, nullable: false),
                SubjectType = table.Column<string>(maxLength: 32, nullable: false),
                SubjectId = table.Column<string>(maxLength: 32, nullable: true),
                Outcome = table.Column<string>(maxLength: 16, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditEntries", a => a.Id));
        migrationBuilder.CreateIndex("IX_AuditEntries_SubjectType_SubjectId", "AuditEntries", ["SubjectType", "SubjectId"]);
        migrationBuilder.CreateIndex("IX_AuditEntries_At", "AuditEntries", "At");

        migrationBuilder.CreateTable(
            name: "DataProtectionKeys",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                FriendlyName = table.Column<string>(nullable: true),
                Xml = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_DataProtectionKeys", k => k.Id));
    }
}
