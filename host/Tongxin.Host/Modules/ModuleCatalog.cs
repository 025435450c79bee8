using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Modules;

/// <summary>The service-line modules loaded and enabled in this host, by key.</summary>
public sealed class ModuleCatalog(IReadOnlyList<LoadedModule> modules)
{
    public IReadOnlyList<LoadedModule> All { get; } = modules;

    public IServiceLineModule? Find(string? key) => All.FirstOrDefault(m => m.Module.Info.Key == key)?.Module;
}

/// <summary>A module and where it came from (a referenced assembly or the plug-in folder).</summary>
public sealed record LoadedModule(IServiceLineModule Module, string AssemblyName, bool FromPluginFolder);
