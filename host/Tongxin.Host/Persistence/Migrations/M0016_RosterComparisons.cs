using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tongxin.Host.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class M0016_RosterComparisons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RosterComparisonItems",
                columns: table => new
                {
                    Id = table.Column<string>(maxLength: 32, nullable: false),
                    ComparisonId = table.Column<string>(maxLength: 32, nullable: false),
                    Kind = table.Column<string>(maxLength: 16, nullable: false),
                    VillageCode = table.Column<string>(maxLength: 32, nullable: false),
                    RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                    Row = table.Column<int>(nullable: true),
                    RosterName = table.Column<string>(maxLength: 50, nullable: true),
                    RosterBirthDate = table.Column<DateOnly>(nullable: true),
                    RosterVillageCode = table.Column<string>(maxLength: 32, nullable: true),
                    RosterSchool = table.Column<string>(maxLength: 100, nullable: true),
                    RosterGrade = table.Column<string>(maxLength: 20, nullable: true),
                    ChildId = table.Column<string>(maxLength: 32, nullable: true),
                    DifferencesJson = table.Column<string>(maxLength: 1000, nullable: true),
                    Resolution = table.Column<string>(maxLength: 32, nullable: true),
                    ResolutionNote = table.Column<string>(maxLength: 4000, nullable: true),
                    ResolvedChildId = table.Column<string>(maxLength: 32, nullable: true),
                    ResolvedByUserId = table.Column<string>(maxLength: 32, nullable: true),
                    ResolvedAt = table.Column<DateTime>(nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RosterComparisonItems", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RosterComparisons",
                columns: table => new
                {
                    Id = table.Column<string>(maxLength: 32, nullable: false),
                    CountyCode = table.Column<string>(maxLength: 32, nullable: false),
                    RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                    Source = table.Column<string>(maxLength: 16, nullable: false),
                    Quarter = table.Column<string>(maxLength: 8, nullable: false),
                    UploadedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                    UploadedAt = table.Column<DateTime>(nullable: false),
                    Rows = table.Column<int>(nullable: false),
                    FilesCompared = table.Column<int>(nullable: false),
                    OpenItems = table.Column<int>(nullable: false),
                    CompletedAt = table.Column<DateTime>(nullable: true),
                    Version = table.Column<int>(nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RosterComparisons", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RosterComparisonItems_ComparisonId_RegionPath",
                table: "RosterComparisonItems",
                columns: new[] { "ComparisonId", "RegionPath" });

            migrationBuilder.CreateIndex(
                name: "IX_RosterComparisons_CountyCode_Source_Quarter",
                table: "RosterComparisons",
                columns: new[] { "CountyCode", "Source", "Quarter" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RosterComparisons_RegionPath",
                table: "RosterComparisons",
                column: "RegionPath");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RosterComparisonItems");

            migrationBuilder.DropTable(
                name: "RosterComparisons");
        }
    }
}
