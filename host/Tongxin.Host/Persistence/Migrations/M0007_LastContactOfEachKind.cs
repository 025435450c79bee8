using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tongxin.Host.Persistence.Migrations;

/// <summary>
/// Schema version 7: an index on a child's contacts by kind and time. Every read of a file shows the child's last
/// call and last home visit; with (ChildId, At) alone the database read all of a child's contacts to find them (on
/// PostgreSQL a bitmap scan per file, the largest part of a read's cost on the server), where (ChildId, Kind, At)
/// answers each from the index's last entry, however many years of weekly calls the file holds.
/// </summary>
[DbContext(typeof(TongxinDbContext))]
[Migration("20261127000007_LastContactOfEachKind")]
public sealed class M0007_LastContactOfEachKind : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex("IX_ChildContacts_ChildId_Kind_At", "ChildContacts", ["ChildId", "Kind", "At"]);
}
