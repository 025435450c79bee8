using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>
/// Schema version 8 (data only): a consent recorded before its purposes were (version 5 added the column, empty) was a
/// consent to everything the product did, and is written so now. From here on one rule checks every purpose
/// (<see cref="Children.GuardianConsent"/>), and an empty list means none.
/// </summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261203000008_ConsentPurposesOfOlderFiles")]
public sealed class M0008_ConsentPurposesOfOlderFiles : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""UPDATE "Children" SET "ConsentPurposesJson" = '["matching","services","data-sharing"]' WHERE "ConsentBy" IS NOT NULL AND "ConsentPurposesJson" = '[]';""");
}
