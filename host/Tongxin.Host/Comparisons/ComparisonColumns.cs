using Tongxin.Host.Imports;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Comparisons;

/// <summary>
/// The accepted headers of the rosters compared each quarter (docs/comparisons.md): education's (学校, 年级, 姓名, 出生日期,
/// 村/社区) and the police's (姓名, 出生日期, 户籍村), each with an optional 身份证号. Chinese names first, as the departments'
/// exports have them; the English names are accepted too.
/// </summary>
internal static class ComparisonColumns
{
    public const string School = "学校";
    public const string Grade = "年级";
    public const string Name = "姓名";
    public const string BirthDate = "出生日期";
    public const string Village = "村/社区";
    public const string HouseholdVillage = "户籍村";
    public const string NationalId = "身份证号";

    private static readonly Dictionary<string, string> Shared = new(StringComparer.Ordinal)
    {
        ["姓名"] = Name, ["学生姓名"] = Name, ["儿童姓名"] = Name, ["name"] = Name, ["pupilName"] = Name, ["pupil name"] = Name,
        ["出生日期"] = BirthDate, ["出生年月日"] = BirthDate, ["出生年月"] = BirthDate, ["birthDate"] = BirthDate, ["birth date"] = BirthDate,
        ["身份证号"] = NationalId, ["身份证号码"] = NationalId, ["公民身份号码"] = NationalId, ["身份证件号码"] = NationalId, ["nationalId"] = NationalId, ["national ID"] = NationalId,
    };

    public static readonly SheetColumns Education = new(
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["学校"] = School, ["学校名称"] = School, ["就读学校"] = School, ["school"] = School,
            ["年级"] = Grade, ["年级班级"] = Grade, ["grade"] = Grade,
            ["姓名"] = Name,
            ["出生日期"] = BirthDate,
            ["村/社区"] = Village, ["村（社区）"] = Village, ["村(社区)"] = Village, ["村"] = Village, ["社区"] = Village, ["所在村"] = Village, ["家庭住址村"] = Village,
            ["village"] = Village,
        }.Concat(Shared.Where(s => s.Key is not ("姓名" or "出生日期"))).ToDictionary(StringComparer.Ordinal),
        [School, Grade, Name, BirthDate, Village]);

    public static readonly SheetColumns Police = new(
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["姓名"] = Name,
            ["出生日期"] = BirthDate,
            ["户籍村"] = HouseholdVillage, ["户籍村/社区"] = HouseholdVillage, ["户籍所在村"] = HouseholdVillage, ["户籍地"] = HouseholdVillage, ["户籍地村/社区"] = HouseholdVillage,
            ["householdVillage"] = HouseholdVillage, ["household village"] = HouseholdVillage,
        }.Concat(Shared.Where(s => s.Key is not ("姓名" or "出生日期"))).ToDictionary(StringComparer.Ordinal),
        [Name, BirthDate, HouseholdVillage]);

    public static SheetColumns For(ComparisonSource source) => source == ComparisonSource.Education ? Education : Police;

    /// <summary>The column that names a row's village in this source's roster.</summary>
    public static string VillageOf(ComparisonSource source) => source == ComparisonSource.Education ? Village : HouseholdVillage;

    /// <summary>The template's example row, invented, in the order of <see cref="SheetColumns.Accepted"/>.</summary>
    public static string[] Example(ComparisonSource source) => source == ComparisonSource.Education
        ? ["平安小学", "三年级", "李小花", "2015-03-08", "平安村", ""]
        : ["李小花", "2015-03-08", "平安村", ""];
}
