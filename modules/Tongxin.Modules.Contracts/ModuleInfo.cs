namespace Tongxin.Modules.Contracts;

/// <summary>What a module says about itself. <see cref="Key"/> is stable and used in URLs and data.</summary>
public sealed record ModuleInfo(string Key, LocalizedText Name, string Version, LocalizedText Description)
{
    public string NameZh => Name.Zh;
    public string NameEn => Name.En;
}
