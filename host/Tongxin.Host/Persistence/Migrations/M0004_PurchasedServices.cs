using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>Schema version 4: purchased-service contracts and their deliveries.</summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261123000004_PurchasedServices")]
public sealed class M0004_PurchasedServices : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "PurchasedServiceContracts",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                OrganisationId = table.Column<string>(maxLength: 32, nullable: false),
                Line = table.Column<string>(maxLength: 64, nullable: false),
                Title = table.Column<string>(maxLength: 200, nullable: false),
                CoveredPathsJson = table.Column<string>(maxLength: 4000, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                Units = table.Column<int>(nullable: false),
                UnitKind = table.Column<string>(maxLength: 16, nullable: false),
                UnitPriceFen = table.Column<long>(nullable: false),
                StartsOn = table.Column<DateOnly>(nullable: false),
                EndsOn = table.Column<DateOnly>(nullable: false),
                FundingSource = table.Column<string>(maxLength: 32, nullable: false),
                DeliveredUnits = table.Column<int>(nullable: false),
                CreatedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_PurchasedServiceContracts", c => c.Id));
        migrationBuilder.CreateIndex("IX_PurchasedServiceContracts_RegionPath", "PurchasedServiceContracts", "RegionPath");
        migrationBuilder.CreateIndex("IX_PurchasedServiceContracts_OrganisationId", "PurchasedServiceContracts", "OrganisationId");

        migrationBuilder.CreateTable(
            name: "ServiceDeliveries",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                ContractId = table.Column<string>(maxLength: 32, nullable: false),
                ChildId = table.Column<string>(maxLength: 32, nullable: false),
                RegionPath = table.Column<string>(maxLength: 200, nullable: false),
                At = table.Column<DateTime>(nullable: false),
                Units = table.Column<int>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                Notes = table.Column<string>(maxLength: 2000, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                CorrectsId = table.Column<string>(maxLength: 32, nullable: true),
                StatusReason = table.Column<string>(maxLength: 500, nullable: true),
                IdempotencyKey = table.Column<string>(maxLength: 100, nullable: true),
                RequestHash = table.Column<string>(maxLength: 64, nullable: true),
                ReportedByUserId = table.Column<string>(maxLength: 32, nullable: false),
                ReportedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_ServiceDeliveries", d => d.Id));
        migrationBuilder.CreateIndex("IX_ServiceDeliveries_ContractId_IdempotencyKey", "ServiceDeliveries", ["ContractId", "IdempotencyKey"], unique: true);
        migrationBuilder.CreateIndex("IX_ServiceDeliveries_ContractId_At", "ServiceDeliveries", ["ContractId", "At"]);
        migrationBuilder.CreateIndex("IX_ServiceDeliveries_ChildId_At", "ServiceDeliveries", ["ChildId", "At"]);
    }
}
