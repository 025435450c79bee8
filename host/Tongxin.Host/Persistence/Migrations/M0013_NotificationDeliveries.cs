using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tongxin.Host.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class M0013_NotificationDeliveries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "Users",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EmailFailedAt",
                table: "Users",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EmailFailure",
                table: "Users",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PhoneFailedAt",
                table: "Users",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhoneFailure",
                table: "Users",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClaimToken",
                table: "Notifications",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimedUntil",
                table: "Notifications",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DispatchedAt",
                table: "Notifications",
                nullable: true);

            // Notifications written before there was a sender stay in the inbox only: no SMS or mail of old news.
            migrationBuilder.Sql("UPDATE \"Notifications\" SET \"DispatchedAt\" = \"CreatedAt\"");

            migrationBuilder.CreateTable(
                name: "NotificationDeliveries",
                columns: table => new
                {
                    Id = table.Column<string>(maxLength: 32, nullable: false),
                    NotificationId = table.Column<string>(maxLength: 32, nullable: false),
                    UserId = table.Column<string>(maxLength: 32, nullable: false),
                    Channel = table.Column<string>(maxLength: 16, nullable: false),
                    Address = table.Column<string>(maxLength: 254, nullable: false),
                    Status = table.Column<string>(maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(nullable: false),
                    NextAttemptAt = table.Column<DateTime>(nullable: false),
                    ClaimToken = table.Column<string>(maxLength: 32, nullable: true),
                    ClaimedUntil = table.Column<DateTime>(nullable: true),
                    LastError = table.Column<string>(maxLength: 500, nullable: true),
                    ProviderMessageId = table.Column<string>(maxLength: 100, nullable: true),
                    SentAt = table.Column<DateTime>(nullable: true),
                    CreatedAt = table.Column<DateTime>(nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NotificationDeliveries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NotificationPreferences",
                columns: table => new
                {
                    UserId = table.Column<string>(maxLength: 32, nullable: false),
                    Event = table.Column<string>(maxLength: 64, nullable: false),
                    Channel = table.Column<string>(maxLength: 16, nullable: false),
                    Enabled = table.Column<bool>(nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NotificationPreferences", x => new { x.UserId, x.Event, x.Channel });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_DispatchedAt",
                table: "Notifications",
                column: "DispatchedAt");

            migrationBuilder.CreateIndex(
                name: "IX_NotificationDeliveries_NotificationId_Channel",
                table: "NotificationDeliveries",
                columns: new[] { "NotificationId", "Channel" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NotificationDeliveries_Status_NextAttemptAt",
                table: "NotificationDeliveries",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "NotificationDeliveries");

            migrationBuilder.DropTable(
                name: "NotificationPreferences");

            migrationBuilder.DropIndex(
                name: "IX_Notifications_DispatchedAt",
                table: "Notifications");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "EmailFailedAt",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "EmailFailure",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "PhoneFailedAt",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "PhoneFailure",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "ClaimToken",
                table: "Notifications");

            migrationBuilder.DropColumn(
                name: "ClaimedUntil",
                table: "Notifications");

            migrationBuilder.DropColumn(
                name: "DispatchedAt",
                table: "Notifications");
        }
    }
}
