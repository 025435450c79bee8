using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Tongxin.Modules.Contracts;

/// <summary>User-facing text in Simplified Chinese (first) and English.</summary>
public sealed record LocalizedText(string Zh, string En)
{
    /// <summary>English when the culture is English, Chinese otherwise (Chinese is the default).</summary>
    public string For(CultureInfo culture) =>
        culture.TwoLetterISOLanguageName == "en" ? En : Zh;

    public string ForCurrentCulture() => For(CultureInfo.CurrentUICulture);

    /// <summary>Fills {0}, {1}, ... in both languages.</summary>
    public LocalizedText Format(params object[] args) =>
        new(string.Format(CultureInfo.InvariantCulture, Zh, args), string.Format(CultureInfo.InvariantCulture, En, args));

    public override string ToString() => ForCurrentCulture();
}

/// <summary>
/// A module's texts, read from a JSON file embedded in its assembly:
/// <c>{ "key": { "zh": "...", "en": "..." } }</c>. Embedded resources rather than satellite
/// assemblies, so a plug-in dropped into a folder carries its texts in its one DLL (ADR 0003).
/// </summary>
public sealed class TextResources
{
    private readonly Dictionary<string, LocalizedText> _texts;

    private TextResources(Dictionary<string, LocalizedText> texts) => _texts = texts;

    public LocalizedText this[string key] =>
        _texts.TryGetValue(key, out var text)
            ? text
            : throw new KeyNotFoundException($"Text '{key}' is missing from the resources.");

    public IReadOnlyCollection<string> Keys => _texts.Keys;

    /// <summary>Loads the embedded resource whose name ends with <paramref name="fileName"/>.</summary>
    public static TextResources FromEmbeddedJson(Assembly assembly, string fileName = "texts.json")
    {
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(fileName, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Assembly {assembly.GetName().Name} has no embedded resource '{fileName}'.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        return FromJson(stream);
    }

    public static TextResources FromJson(Stream json)
    {
        var raw = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(json)
            ?? throw new InvalidOperationException("Text resources are empty.");
        var texts = new Dictionary<string, LocalizedText>(StringComparer.Ordinal);
        foreach (var (key, langs) in raw)
        {
            if (!langs.TryGetValue("zh", out var zh) || !langs.TryGetValue("en", out var en))
            {
                throw new InvalidOperationException($"Text '{key}' needs both 'zh' and 'en'.");
            }
            texts[key] = new LocalizedText(zh, en);
        }
        return new TextResources(texts);
    }
}
