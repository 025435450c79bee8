using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>Schema version 3: providers (volunteers and programmes), needs, offers, pairings, sessions; children's priority groups.</summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261123000003_Matching")]
public sealed class M0003_Matching : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // Existing files get an empty list: nothing is lost, nothing is guessed.
        migrationBuilder.AddColumn<string>("PriorityGroupsJson", "Children", maxLength: 500, nullable: false, defaultValue: "[]");

        migrationBuilder.CreateTable(
            name: "Providers",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                DisplayName = table.Column<string>(maxLength: 200, nullable: false),
                Gender = table.Column<string>(maxLength: 16, nullable: true),
                RegionCode = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                CoveredPathsJson = table.Column<string>(maxLength: 4000, nullable: false),
                LinesJson = table.Column<string>(maxLength: 500, nullable: false),
                OfferJson = table.Column<string>(maxLength: 8000, nullable: false),
                AvailabilityJson = table.Column<string>(maxLength: 500, nullable: false),
                Capacity = table.Column<int>(nullable: false),
                Committed = table.Column<int>(nullable: false),
                OrganisationId = table.Column<string>(maxLength: 32, nullable: true),
                UserId = table.Column<string>(maxLength: 32, nullable: true),
                StartsOn = table.Column<DateOnly>(nullable: true),
                EndsOn = table.Column<DateOnly>(nullable: true),
                AgeMin = table.Column<int>(nullable: true),
                AgeMax = table.Column<int>(nullable: true),
                FundingSource = table.Column<string>(maxLength: 100, nullable: true),
                VettingStatus = table.Column<string>(maxLength: 16, nullable: false),
                VettingCheckedAt = table.Column<DateTime>(nullable: true),
                VettingExpiresAt = table.Column<DateTime>(nullable: true),
                VettingReference = table.Column<string>(maxLength: 100, nullable: true),
                CreatedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Providers", p => p.Id));
        migrationBuilder.CreateIndex("IX_Providers_RegionPath", "Providers", "RegionPath");
        migrationBuilder.CreateIndex("IX_Providers_UserId", "Providers", "UserId");

        migrationBuilder.CreateTable(
            name: "Needs",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                Line = table.Column<string>(maxLength: 64, nullable: false),
                DetailsJson = table.Column<string>(maxLength: 4000, nullable: false),
                Urgency = table.Column<string>(maxLength: 16, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                CountyCode = table.Column<string>(maxLength: 32, nullable: false),
                PairingId = table.Column<string>(maxLength: 32, nullable: true),
                CreatedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Needs", n => n.Id));
        migrationBuilder.CreateIndex("IX_Needs_Line_CountyCode_Status", "Needs", ["Line", "CountyCode", "Status"]);
        migrationBuilder.CreateIndex("IX_Needs_ChildId", "Needs", "ChildId");
        migrationBuilder.CreateIndex("IX_Needs_RegionPath", "Needs", "RegionPath");

        migrationBuilder.CreateTable(
            name: "Offers",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                NeedId = table.Column<string>(maxLength: 32, nullable: false),
                ProviderId = table.Column<string>(maxLength: 32, nullable: false),
                Line = table.Column<string>(maxLength: 64, nullable: false),
                Score = table.Column<int>(nullable: false),
                ReasonsJson = table.Column<string>(maxLength: 4000, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                ExpiresAt = table.Column<DateTime>(nullable: false),
                RespondedAt = table.Column<DateTime>(nullable: true),
                RespondedByUserId = table.Column<string>(maxLength: 32, nullable: true),
                DeclineReason = table.Column<string>(maxLength: 500, nullable: true),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Offers", o => o.Id));
        migrationBuilder.CreateIndex("IX_Offers_ProviderId_Status", "Offers", ["ProviderId", "Status"]);
        migrationBuilder.CreateIndex("IX_Offers_NeedId_Status", "Offers", ["NeedId", "Status"]);

        migrationBuilder.CreateTable(
            name: "Pairings",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                NeedId = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                ProviderId = table.Column<string>(maxLength: 32, nullable: false),
                OfferId = table.Column<string>(maxLength: 32, nullable: false),
                Line = table.Column<string>(maxLength: 64, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                StartedAt = table.Column<DateTime>(nullable: false),
                EndedAt = table.Column<DateTime>(nullable: true),
                EndReason = table.Column<string>(maxLength: 500, nullable: true),
                EndedByUserId = table.Column<string>(maxLength: 32, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Pairings", p => p.Id));
        migrationBuilder.CreateIndex("IX_Pairings_OfferId", "Pairings", "OfferId", unique: true);
        migrationBuilder.CreateIndex("IX_Pairings_ProviderId_Status", "Pairings", ["ProviderId", "Status"]);
        migrationBuilder.CreateIndex("IX_Pairings_ChildId_Status", "Pairings", ["ChildId", "Status"]);

        migrationBuilder.CreateTable(
            name: "PairingSessions",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                PairingId = table.Column<string>(maxLength: 32, nullable: false),
                At = table.Column<DateTime>(nullable: false),
                Minutes = table.Column<int>(nullable: false),
                Notes = table.Column<string>(maxLength: 2000, nullable: false),
                RecordedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                RecordedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_PairingSessions", s => s.Id));
        migrationBuilder.CreateIndex("IX_PairingSessions_PairingId_At", "PairingSessions", ["PairingId", "At"]);
    }
}
