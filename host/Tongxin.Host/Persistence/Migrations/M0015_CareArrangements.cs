using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tongxin.Host.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class M0015_CareArrangements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CareArrangementChanges",
                columns: table => new
                {
                    Id = table.Column<string>(maxLength: 32, nullable: false),
                    ChildId = table.Column<string>(maxLength: 32, nullable: false),
                    Kind = table.Column<string>(maxLength: 16, nullable: false),
                    Snapshot = table.Column<string>(nullable: false),
                    ByUserId = table.Column<string>(maxLength: 32, nullable: false),
                    At = table.Column<DateTime>(nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareArrangementChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CareArrangements",
                columns: table => new
                {
                    ChildId = table.Column<string>(maxLength: 32, nullable: false),
                    FatherPresence = table.Column<string>(maxLength: 16, nullable: false),
                    MotherPresence = table.Column<string>(maxLength: 16, nullable: false),
                    CarerAbility = table.Column<string>(maxLength: 16, nullable: true),
                    AgreementSignedOn = table.Column<DateOnly>(nullable: true),
                    AgreementUntil = table.Column<DateOnly>(nullable: true),
                    LastCheckedAt = table.Column<DateTime>(nullable: true),
                    AgreementInPlace = table.Column<bool>(nullable: true),
                    Details = table.Column<string>(nullable: false),
                    RaisedFor = table.Column<string>(maxLength: 100, nullable: false),
                    Version = table.Column<int>(nullable: false),
                    UpdatedAt = table.Column<DateTime>(nullable: false),
                    UpdatedByUserId = table.Column<string>(maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareArrangements", x => x.ChildId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CareArrangementChanges_ChildId_At",
                table: "CareArrangementChanges",
                columns: new[] { "ChildId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CareArrangementChanges");

            migrationBuilder.DropTable(
                name: "CareArrangements");
        }
    }
}
