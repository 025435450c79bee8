using System.Text.RegularExpressions;
using Tongxin.Host.Text;

namespace Tongxin.UnitTests.Host;

/// <summary>The host's user-facing texts exist in Chinese and English, and every key the code uses is defined.</summary>
public sealed partial class HostTextsTests
{
    [Fact]
    public void EveryTextHasChineseAndEnglish()
    {
        Assert.All(HostTexts.Keys, key =>
        {
            var text = HostTexts.Get(key);
            Assert.False(string.IsNullOrWhiteSpace(text.Zh), key);
            Assert.False(string.IsNullOrWhiteSpace(text.En), key);
            Assert.Matches(ChineseCharacter(), text.Zh);
        });
    }

    [Fact]
    public void EveryKeyTheHostUsesIsDefined()
    {
        var root = Path.Combine(RepositoryRoot(), "host", "Tongxin.Host");
        var used = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => UsedKey().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .ToHashSet();
        Assert.NotEmpty(used);
        Assert.All(used, key => Assert.Contains(key, HostTexts.Keys));
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder!.FullName, "Services.sln")))
        {
            folder = folder.Parent;
        }
        return folder.FullName;
    }

    [GeneratedRegex("\\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex ChineseCharacter();

    [GeneratedRegex("(?:HostTexts\\.(?:Local|Get)\\(|Problem\\(\\d+, )\"(?<key>[a-zA-Z.]+)\"")]
    private static partial Regex UsedKey();
}
