using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>
/// Schema version 5: risk history, concerns and their chain, consent purposes and withdrawal; free-text
/// notes become unbounded text because they are now stored encrypted (longer than the text).
/// </summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261123000005_Safeguarding")]
public sealed class M0005_Safeguarding : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("ConsentPurposesJson", "Children", maxLength: 200, nullable: false, defaultValue: "[]");
        migrationBuilder.AddColumn<DateTime>("ConsentWithdrawnAt", "Children", nullable: true);
        migrationBuilder.AddColumn<string>("ConsentWithdrawnReason", "Children", maxLength: 500, nullable: true);

        // SQLite does not enforce text lengths; PostgreSQL does, and ciphertext is longer than the text.
        if (ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            foreach (var (table, column) in new[] { ("ChildContacts", "Notes"), ("PairingSessions", "Notes"), ("ServiceDeliveries", "Notes") })
            {
                migrationBuilder.Sql($"ALTER TABLE \"{table}\" ALTER COLUMN \"{column}\" TYPE text;");
            }
        }

        migrationBuilder.CreateTable(
            name: "RiskChanges",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                From = table.Column<string>(maxLength: 16, nullable: false),
                To = table.Column<string>(maxLength: 16, nullable: false),
                Reason = table.Column<string>(maxLength: 500, nullable: false),
                ConcernId = table.Column<string>(maxLength: 32, nullable: true),
                ByUserId = table.Column<string>(maxLength: 32, nullable: false),
                At = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_RiskChanges", r => r.Id));
        migrationBuilder.CreateIndex("IX_RiskChanges_ChildId_At", "RiskChanges", ["ChildId", "At"]);

        migrationBuilder.CreateTable(
            name: "Concerns",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                Kind = table.Column<string>(maxLength: 32, nullable: false),
                Details = table.Column<string>(nullable: false),
                Stage = table.Column<string>(maxLength: 32, nullable: false),
                RaisedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                RaisedByRole = table.Column<string>(maxLength: 32, nullable: false),
                RaisedAt = table.Column<DateTime>(nullable: false),
                ReportedToPoliceAt = table.Column<DateTime>(nullable: true),
                PoliceReference = table.Column<string>(maxLength: 100, nullable: true),
                EscalatedAt = table.Column<DateTime>(nullable: true),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Concerns", c => c.Id));
        migrationBuilder.CreateIndex("IX_Concerns_RegionPath", "Concerns", "RegionPath");
        migrationBuilder.CreateIndex("IX_Concerns_ChildId", "Concerns", "ChildId");

        migrationBuilder.CreateTable(
            name: "ConcernSteps",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ConcernId = table.Column<string>(maxLength: 32, nullable: false),
                Step = table.Column<string>(maxLength: 32, nullable: false),
                At = table.Column<DateTime>(nullable: false),
                ByUserId = table.Column<string>(maxLength: 32, nullable: true),
                Reference = table.Column<string>(maxLength: 100, nullable: true),
                Notes = table.Column<string>(nullable: false),
                RecordedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_ConcernSteps", s => s.Id));
        migrationBuilder.CreateIndex("IX_ConcernSteps_ConcernId_At", "ConcernSteps", ["ConcernId", "At"]);
    }
}
