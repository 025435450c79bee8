using Tongxin.Host.Children;
using Tongxin.Host.Security;
using Xunit;

namespace Tongxin.UnitTests.Host;

/// <summary>How the roster import reads a national ID number, a name and a birth date as counties write them.</summary>
public sealed class RosterReadingTests
{
    [Theory]
    [InlineData("11010519491231002X", 1949, 12, 31, false)] // the standard's own example
    [InlineData("11010519491231002x", 1949, 12, 31, false)] // a lower-case x as typed
    [InlineData(" 440524188001010014 ", 1880, 1, 1, true)]
    public void AValidNumberGivesItsBirthDateAndGender(string text, int year, int month, int day, bool male)
    {
        Assert.True(NationalIds.TryRead(text, out var number, out var birthDate, out var isMale));
        Assert.Equal(text.Trim().ToUpperInvariant(), number);
        Assert.Equal(new DateOnly(year, month, day), birthDate);
        Assert.Equal(male, isMale);
    }

    [Theory]
    [InlineData("110105194912310021")] // wrong check character
    [InlineData("110105194913310021")] // the check character fits, but there is no 13th month
    [InlineData("11010519491231002")] // 17 characters
    [InlineData("1101051949123100AX")]
    [InlineData("")]
    public void AWrongNumberIsRefused(string text) => Assert.False(NationalIds.TryRead(text, out _, out _, out _));

    [Fact]
    public void TheHashIsKeyedAndNeverTheNumber()
    {
        var key = new byte[32];
        var one = new NationalIds(new FieldCipher(key));
        var again = new NationalIds(new FieldCipher(new byte[32]));
        key = [.. Enumerable.Repeat((byte)7, 32)];
        var otherKey = new NationalIds(new FieldCipher(key));
        var hash = one.Hash("11010519491231002X");
        Assert.Equal(64, hash.Length);
        Assert.DoesNotContain("11010519491231002X", hash);
        Assert.Equal(hash, again.Hash("11010519491231002X"));
        Assert.NotEqual(hash, otherKey.Hash("11010519491231002X"));
    }

    [Theory]
    [InlineData("李小花", "李", "小花")]
    [InlineData("欧阳明", "欧阳", "明")]
    [InlineData("欧阳", "欧", "阳")] // two characters: a family name and a given name, never a family name alone
    [InlineData("阿依古丽·买买提", "买买提", "阿依古丽")] // given name · family name
    public void ANameIsSplitAsTheRosterWritesIt(string name, string family, string given)
    {
        Assert.True(RosterColumns.TrySplitName(name, out var f, out var g));
        Assert.Equal((family, given), (f, g));
    }

    [Theory]
    [InlineData("李")]
    [InlineData("·买买提")]
    public void ANameThatCannotHoldBothPartsIsRefused(string name) => Assert.False(RosterColumns.TrySplitName(name, out _, out _));

    [Theory]
    [InlineData("2015-03-08")]
    [InlineData("2015/3/8")]
    [InlineData("2015.3.8")]
    [InlineData("20150308")]
    [InlineData("2015年3月8日")]
    [InlineData("42071")] // as Excel stores the date
    public void ABirthDateIsReadInTheFormsCountiesWrite(string text)
    {
        Assert.True(RosterColumns.TryReadDate(text, out var date));
        Assert.Equal(new DateOnly(2015, 3, 8), date);
    }

    [Theory]
    [InlineData("2015-02-30")]
    [InlineData("08/03/2015")]
    [InlineData("明年")]
    public void AnUnreadableBirthDateIsRefused(string text) => Assert.False(RosterColumns.TryReadDate(text, out _));
}
