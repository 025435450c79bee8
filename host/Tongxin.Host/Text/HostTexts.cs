using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Text;

/// <summary>The host's own user-facing texts (zh-CN first, English second), from Resources/texts.json.</summary>
public static class HostTexts
{
    private static readonly TextResources Resources = TextResources.FromEmbeddedJson(typeof(HostTexts).Assembly);

    public static LocalizedText Get(string key) => Resources[key];

    /// <summary>The text in the current request's culture.</summary>
    public static string Local(string key, params object[] args) =>
        (args.Length == 0 ? Resources[key] : Resources[key].Format(args)).ForCurrentCulture();

    public static IReadOnlyCollection<string> Keys => Resources.Keys;
}
