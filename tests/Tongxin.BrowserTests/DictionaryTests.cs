using System.Text.Json;
using System.Text.RegularExpressions;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>The web app's own texts: the two dictionaries hold the same keys, and every key the code names exists.</summary>
public sealed partial class DictionaryTests
{
    private static readonly string WebRoot = Path.Combine(HostProcess.RepositoryRoot, "host", "Tongxin.Host", "wwwroot");

    private static Dictionary<string, string> Load(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(WebRoot, "i18n", $"{language}.json")))!;

    [Fact]
    public void BothDictionariesHaveTheSameKeysAndNoEmptyText()
    {
        var chinese = Load("zh-CN");
        var english = Load("en");
        Assert.Empty(chinese.Keys.Except(english.Keys));
        Assert.Empty(english.Keys.Except(chinese.Keys));
        Assert.All(chinese.Concat(english), pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
        Assert.All(chinese.Keys, key => Assert.Equal(
            Placeholders().Matches(chinese[key]).Select(m => m.Value).Order(),
            Placeholders().Matches(english[key]).Select(m => m.Value).Order()));
    }

    [Fact]
    public void EveryKeyNamedInTheCodeAndMarkupIsInTheDictionary()
    {
        var chinese = Load("zh-CN");
        var sources = Directory.GetFiles(Path.Combine(WebRoot, "js"), "*.js", SearchOption.AllDirectories)
            .Append(Path.Combine(WebRoot, "index.html"));
        var missing = new List<string>();
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            foreach (Match match in NamedKeys().Matches(text))
            {
                var key = match.Groups["key"].Value;
                if (!chinese.ContainsKey(key))
                {
                    missing.Add($"{Path.GetFileName(file)}: {key}");
                }
            }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void TheMarkupHasNoTextOfItsOwn()
    {
        var html = File.ReadAllText(Path.Combine(WebRoot, "index.html"));
        var body = html[html.IndexOf("<body", StringComparison.Ordinal)..];
        var textBetweenTags = Regex.Replace(Regex.Replace(body, "<svg.*?</svg>", "", RegexOptions.Singleline), "<[^>]+>", " ");
        Assert.True(string.IsNullOrWhiteSpace(textBetweenTags), textBetweenTags.Trim());
    }

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholders();

    [GeneratedRegex(@"(?:\bt\(|\bempty\(|data-i18n(?:-[a-z-]+)?=)['""](?<key>[a-zA-Z][\w.-]*)['""]")]
    private static partial Regex NamedKeys();
}
