using System.Globalization;
using Tongxin.Host.Imports;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Children;

/// <summary>
/// The roster's accepted headers (docs/imports.md), each with the names counties' sheets give it — the national
/// child-welfare system's export among them — and the values each column takes.
/// </summary>
internal static class RosterColumns
{
    public const string Name = "姓名";
    public const string Gender = "性别";
    public const string BirthDate = "出生日期";
    public const string Village = "村/社区";
    public const string Category = "类别";
    public const string Situation = "监护情况";
    public const string Risk = "风险等级";
    public const string NationalId = "身份证号";

    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["姓名"] = Name, ["儿童姓名"] = Name,
        ["性别"] = Gender,
        ["出生日期"] = BirthDate, ["出生年月日"] = BirthDate, ["出生年月"] = BirthDate,
        ["村/社区"] = Village, ["村（社区）"] = Village, ["村(社区)"] = Village, ["村"] = Village, ["社区"] = Village, ["所在村"] = Village, ["村居"] = Village, ["村/社区代码"] = Village,
        ["类别"] = Category, ["儿童类别"] = Category, ["人员类别"] = Category,
        ["监护情况"] = Situation, ["监护类型"] = Situation, ["监护人情况"] = Situation,
        ["风险等级"] = Risk, ["风险"] = Risk,
        ["身份证号"] = NationalId, ["身份证号码"] = NationalId, ["公民身份号码"] = NationalId, ["身份证件号码"] = NationalId,
    };

    public static readonly SheetColumns Sheet = new(Aliases, [Name, Gender, BirthDate, Village, Category, Situation, Risk]);

    public static readonly IReadOnlyDictionary<string, Persistence.Gender> Genders = new Dictionary<string, Persistence.Gender>(StringComparer.OrdinalIgnoreCase)
    {
        ["男"] = Persistence.Gender.Male, ["男性"] = Persistence.Gender.Male, ["male"] = Persistence.Gender.Male,
        ["女"] = Persistence.Gender.Female, ["女性"] = Persistence.Gender.Female, ["female"] = Persistence.Gender.Female,
    };

    public static readonly IReadOnlyDictionary<string, ChildCategory> Categories = new Dictionary<string, ChildCategory>(StringComparer.OrdinalIgnoreCase)
    {
        ["留守儿童"] = ChildCategory.LeftBehind, ["农村留守儿童"] = ChildCategory.LeftBehind, ["留守"] = ChildCategory.LeftBehind, ["left-behind"] = ChildCategory.LeftBehind,
        ["困境儿童"] = ChildCategory.InDifficulty, ["困境"] = ChildCategory.InDifficulty, ["in-difficulty"] = ChildCategory.InDifficulty,
    };

    public static readonly IReadOnlyDictionary<string, RiskLevel> Risks = new Dictionary<string, RiskLevel>(StringComparer.OrdinalIgnoreCase)
    {
        ["低"] = RiskLevel.Low, ["低风险"] = RiskLevel.Low, ["low"] = RiskLevel.Low,
        ["中"] = RiskLevel.Medium, ["中风险"] = RiskLevel.Medium, ["medium"] = RiskLevel.Medium,
        ["高"] = RiskLevel.High, ["高风险"] = RiskLevel.High, ["high"] = RiskLevel.High,
    };

    /// <summary>The values a column's error message offers: the Chinese ones, as the template has them.</summary>
    public static string Offered<T>(IReadOnlyDictionary<string, T> values) =>
        string.Join("、", values.Keys.Where(k => !k.Any(char.IsAsciiLetter)));

    // Compound family names (复姓) that a roster writes run together with the given name; any other name's family
    // name is its first character. A name with a middle dot (维吾尔族 and other names) is given name · family name.
    private static readonly string[] CompoundFamilyNames =
    [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "司空", "夏侯", "令狐",
        "端木", "独孤", "南宫", "西门", "轩辕", "钟离", "闻人", "赫连", "澹台", "公羊", "濮阳", "申屠", "太史", "百里", "呼延",
        "拓跋", "第五", "万俟", "鲜于", "闾丘", "左丘", "东郭", "南门", "梁丘", "谷梁", "宗政", "仲孙", "太叔", "公冶", "乐正",
    ];

    /// <summary>姓名 as family name and given name; false when it cannot hold both (one character, or an empty side of the dot).</summary>
    public static bool TrySplitName(string name, out string familyName, out string givenName)
    {
        var dot = name.IndexOfAny(['·', '•', '・']);
        if (dot >= 0)
        {
            (givenName, familyName) = (name[..dot].Trim(), name[(dot + 1)..].Trim());
        }
        else
        {
            var familyLength = name.Length > 2 && CompoundFamilyNames.Any(f => name.StartsWith(f, StringComparison.Ordinal)) ? 2 : 1;
            (familyName, givenName) = (name[..Math.Min(familyLength, name.Length)], name[Math.Min(familyLength, name.Length)..]);
        }
        return familyName.Length > 0 && givenName.Length > 0;
    }

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy.M.d", "yyyyMMdd", "yyyy年M月d日"];

    /// <summary>A birth date as counties write it; a bare number is the date as Excel stores it (days since 1899-12-30).</summary>
    public static bool TryReadDate(string text, out DateOnly date)
    {
        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return true;
        }
        if (text.Length == 5 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var serial))
        {
            date = DateOnly.FromDateTime(DateTime.FromOADate(serial));
            return true;
        }
        return false;
    }
}
