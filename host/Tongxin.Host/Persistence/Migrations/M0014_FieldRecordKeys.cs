using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tongxin.Host.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class M0014_FieldRecordKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "PairingSessions",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestHash",
                table: "PairingSessions",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "ChildContacts",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestHash",
                table: "ChildContacts",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_PairingSessions_PairingId_IdempotencyKey",
                table: "PairingSessions",
                columns: new[] { "PairingId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChildContacts_ChildId_IdempotencyKey",
                table: "ChildContacts",
                columns: new[] { "ChildId", "IdempotencyKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PairingSessions_PairingId_IdempotencyKey",
                table: "PairingSessions");

            migrationBuilder.DropIndex(
                name: "IX_ChildContacts_ChildId_IdempotencyKey",
                table: "ChildContacts");

            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "PairingSessions");

            migrationBuilder.DropColumn(
                name: "RequestHash",
                table: "PairingSessions");

            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "ChildContacts");

            migrationBuilder.DropColumn(
                name: "RequestHash",
                table: "ChildContacts");
        }
    }
}
