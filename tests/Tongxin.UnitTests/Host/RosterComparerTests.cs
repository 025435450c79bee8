using Tongxin.Host.Comparisons;
using Tongxin.Host.Persistence;

namespace Tongxin.UnitTests.Host;

/// <summary>The quarterly comparison's matching rule (ADR 0025), without a host.</summary>
public sealed class RosterComparerTests
{
    private static readonly DateOnly AsOf = new(2026, 12, 31);

    private static RosterRow Row(int number, string name, DateOnly birth, string village, string? hash = null) =>
        new(number, name, name, birth, village, $"/c/t/{village}/", hash, null, null, null);

    private static ComparedFile File(string id, string family, string given, DateOnly birth, string village, string? hash = null, Gender gender = Gender.Female) =>
        new(id, family, given, gender, birth, village, $"/c/t/{village}/", hash);

    [Fact]
    public void AmongNamesakesBornTheSameDayTheFileOfTheRowsVillageIsTakenAndTheOtherIsWithoutARow()
    {
        var birth = new DateOnly(2015, 3, 8);
        var findings = RosterComparer.Compare(ComparisonSource.Police,
            [Row(2, "李小花", birth, "v2")],
            [File("a", "李", "小花", birth, "v1"), File("b", "李", "小花", birth, "v2")], AsOf);
        var finding = Assert.Single(findings);
        Assert.Equal(ComparisonItemKind.NoRosterRow, finding.Kind);
        Assert.Equal("a", finding.File!.Id);
    }

    [Fact]
    public void NumbersAreMatchedFirstAndTwoDifferentNumbersAreNeverTheSameChildByName()
    {
        var birth = new DateOnly(2015, 9, 1);
        var findings = RosterComparer.Compare(ComparisonSource.Police,
            [Row(2, "陈小雨", birth, "v1", hash: "h-other"), Row(3, "陈雨萱", birth, "v1", hash: "h1")],
            [File("a", "陈", "小雨", birth, "v1", hash: "h1")], AsOf);
        // Row 3 is file a by its number (the name differs); row 2 has another number: a child without a file.
        Assert.Equal(2, findings.Count);
        var differs = Assert.Single(findings, f => f.Kind == ComparisonItemKind.Differs);
        Assert.Equal(3, differs.Row!.Number);
        Assert.Equal(["name"], differs.Differences.Select(d => d.Field));
        Assert.Equal(2, Assert.Single(findings, f => f.Kind == ComparisonItemKind.MissingFile).Row!.Number);
    }

    [Fact]
    public void AMatchByNameInAnotherVillageIsADifferenceOfVillageInTheFilesVillage()
    {
        var birth = new DateOnly(2014, 7, 1);
        var finding = Assert.Single(RosterComparer.Compare(ComparisonSource.Education,
            [Row(2, "王小明", birth, "v2")], [File("a", "王", "小明", birth, "v1", gender: Gender.Male)], AsOf));
        Assert.Equal(ComparisonItemKind.Differs, finding.Kind);
        Assert.Equal("v1", finding.VillageCode);
        Assert.Equal(new FieldDifference("village", "v2", "v1"), Assert.Single(finding.Differences));
    }

    [Theory]
    [InlineData(2021, 1, 1, false)] // 5
    [InlineData(2020, 12, 31, true)] // 6 on the quarter's last day
    [InlineData(2011, 1, 1, true)] // 15
    [InlineData(2010, 12, 31, false)] // 16
    public void EducationExpectsOnlyChildrenOfSchoolAgeThePoliceEveryone(int year, int month, int day, bool expected)
    {
        var file = File("a", "赵", "小军", new DateOnly(year, month, day), "v1");
        Assert.Equal(expected, RosterComparer.Expected(ComparisonSource.Education, file, AsOf));
        Assert.True(RosterComparer.Expected(ComparisonSource.Police, file, AsOf));
    }
}
