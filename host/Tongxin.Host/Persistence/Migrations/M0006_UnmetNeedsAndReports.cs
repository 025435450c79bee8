using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>
/// Schema version 6: escalation steps of unplaced needs, children's moves between villages and closed files
/// (for the quarterly ledger's changes), and the report reminders sent to towns.
/// </summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261123000006_UnmetNeedsAndReports")]
public sealed class M0006_UnmetNeedsAndReports : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<DateTime>("ClosedAt", "Children", nullable: true);
        migrationBuilder.AddColumn<string>("ClosedReason", "Children", maxLength: 500, nullable: true);

        migrationBuilder.CreateTable(
            name: "NeedEscalations",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                NeedId = table.Column<string>(maxLength: 32, nullable: false),
                Line = table.Column<string>(maxLength: 64, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                Level = table.Column<string>(maxLength: 16, nullable: false),
                DueAt = table.Column<DateTime>(nullable: false),
                At = table.Column<DateTime>(nullable: false),
                ReasonCode = table.Column<string>(maxLength: 64, nullable: false),
                DiagnosisJson = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_NeedEscalations", e => e.Id));
        migrationBuilder.CreateIndex("IX_NeedEscalations_NeedId_Level", "NeedEscalations", ["NeedId", "Level"], unique: true);
        migrationBuilder.CreateIndex("IX_NeedEscalations_RegionPath", "NeedEscalations", "RegionPath");

        migrationBuilder.CreateTable(
            name: "ChildMoves",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                FromPath = table.Column<string>(maxLength: 200, nullable: false),
                ToPath = table.Column<string>(maxLength: 200, nullable: false),
                At = table.Column<DateTime>(nullable: false),
                ByUserId = table.Column<string>(maxLength: 32, nullable: false),
                Reason = table.Column<string>(maxLength: 500, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_ChildMoves", m => m.Id));
        migrationBuilder.CreateIndex("IX_ChildMoves_ChildId_At", "ChildMoves", ["ChildId", "At"]);

        migrationBuilder.CreateTable(
            name: "ReportReminders",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                Period = table.Column<string>(maxLength: 16, nullable: false),
                TownCode = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                DueOn = table.Column<DateOnly>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_ReportReminders", r => r.Id));
        migrationBuilder.CreateIndex("IX_ReportReminders_Kind_Period_TownCode", "ReportReminders", ["Kind", "Period", "TownCode"], unique: true);
        migrationBuilder.CreateIndex("IX_ReportReminders_RegionPath", "ReportReminders", "RegionPath");
    }
}
