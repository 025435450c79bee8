using System.Reflection;
using System.Text.Json;
using Tongxin.Modules.CaringMother;
using Tongxin.Modules.Contracts;
using Tongxin.Modules.Counselling;
using Tongxin.Modules.HolidayActivities;
using Tongxin.Modules.Tutoring;

namespace Tongxin.UnitTests.Modules;

/// <summary>What every service-line module owes the host and the people reading its texts.</summary>
public sealed class ModuleTextsTests
{
    private static readonly Type[] AllModuleTypes =
    [
        typeof(TutoringModule),
        typeof(CounsellingModule),
        typeof(HolidayActivitiesModule),
        typeof(CaringMotherModule),
    ];

    public static TheoryData<Type> ModuleTypes => new(AllModuleTypes);

    // The host creates modules by reflection, as here.
    private static IServiceLineModule Create(Type type) => (IServiceLineModule)Activator.CreateInstance(type)!;

    private static bool HasChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    [Theory]
    [MemberData(nameof(ModuleTypes))]
    public void EveryTextHasNonEmptyChineseAndEnglish(Type moduleType)
    {
        var assembly = moduleType.Assembly;
        var resource = Assert.Single(assembly.GetManifestResourceNames(), n => n.EndsWith("texts.json", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var json = JsonDocument.Parse(stream);

        Assert.NotEmpty(json.RootElement.EnumerateObject());
        foreach (var entry in json.RootElement.EnumerateObject())
        {
            var languages = entry.Value.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            Assert.True(languages.SequenceEqual(["en", "zh"]), $"'{entry.Name}' must have exactly zh and en.");
            var zh = entry.Value.GetProperty("zh").GetString();
            var en = entry.Value.GetProperty("en").GetString();
            Assert.False(string.IsNullOrWhiteSpace(zh), $"'{entry.Name}' has no Chinese text.");
            Assert.False(string.IsNullOrWhiteSpace(en), $"'{entry.Name}' has no English text.");
            Assert.True(HasChinese(zh!), $"'{entry.Name}' zh is not Chinese: {zh}");
        }
    }

    [Theory]
    [MemberData(nameof(ModuleTypes))]
    public void EveryFieldAndAllowedValueIsLabelledInBothLanguages(Type moduleType)
    {
        var module = Create(moduleType);
        foreach (var field in module.NeedDetailsSchema.Concat(module.ProviderOfferSchema))
        {
            Assert.False(string.IsNullOrWhiteSpace(field.Label.Zh), $"{field.Name} has no Chinese label.");
            Assert.False(string.IsNullOrWhiteSpace(field.Label.En), $"{field.Name} has no English label.");
            Assert.True(HasChinese(field.Label.Zh), $"{field.Name}'s Chinese label is not Chinese.");
            foreach (var value in field.AllowedValues ?? [])
            {
                Assert.NotNull(field.ValueLabels);
                Assert.True(field.ValueLabels.TryGetValue(value, out var label), $"{field.Name}: '{value}' has no label.");
                Assert.False(string.IsNullOrWhiteSpace(label.Zh));
                Assert.False(string.IsNullOrWhiteSpace(label.En));
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModuleTypes))]
    public void FieldNamesAreCamelCaseAndUnique(Type moduleType)
    {
        var module = Create(moduleType);
        foreach (var schema in new[] { module.NeedDetailsSchema, module.ProviderOfferSchema })
        {
            Assert.NotEmpty(schema);
            Assert.Equal(schema.Count, schema.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count());
            Assert.All(schema, f => Assert.Matches("^[a-z][a-zA-Z0-9]*$", f.Name));
        }
    }

    [Theory]
    [InlineData(typeof(TutoringModule), "tutoring", "学业辅导")]
    [InlineData(typeof(CounsellingModule), "counselling", "心理辅导")]
    [InlineData(typeof(HolidayActivitiesModule), "holiday-activities", "七彩假期·节假日关爱活动")]
    [InlineData(typeof(CaringMotherModule), "caring-mother", "爱心妈妈")]
    public void ModuleDescribesItselfWithItsKeyChineseNameAndVersion(Type moduleType, string key, string chineseName)
    {
        var info = Create(moduleType).Info;
        Assert.Equal(key, info.Key);
        Assert.Equal(chineseName, info.NameZh);
        Assert.False(string.IsNullOrWhiteSpace(info.NameEn));
        Assert.False(string.IsNullOrWhiteSpace(info.Description.Zh));
        Assert.False(string.IsNullOrWhiteSpace(info.Description.En));
        Assert.Equal("1.0.0", info.Version);
    }

    [Theory]
    [MemberData(nameof(ModuleTypes))]
    public void ModuleClassIsTheOnlyPublicTypeAndHasAPublicParameterlessConstructor(Type moduleType)
    {
        Assert.True(moduleType.IsSealed);
        Assert.NotNull(moduleType.GetConstructor(Type.EmptyTypes));
        Assert.Equal([moduleType], moduleType.Assembly.GetExportedTypes());
    }

    [Theory]
    [MemberData(nameof(ModuleTypes))]
    public void ModuleReferencesNoOtherModule(Type moduleType)
    {
        var tongxinReferences = moduleType.Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Tongxin.", StringComparison.Ordinal));
        Assert.Equal(["Tongxin.Modules.Contracts"], tongxinReferences);
    }

    [Fact]
    public void ModuleKeysAreUnique()
    {
        var keys = AllModuleTypes.Select(t => Create(t).Info.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }
}
