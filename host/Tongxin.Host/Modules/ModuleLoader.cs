using System.Reflection;
using System.Runtime.Loader;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Modules;

/// <summary>
/// <c>Modules:PluginFolder</c> (default <c>plugins</c> under the content root) and
/// <c>Modules:&lt;key&gt;:Enabled</c> (default true) to switch a line off.
/// </summary>
public sealed class ModuleOptions
{
    public const string Section = "Modules";
    public string PluginFolder { get; set; } = "plugins";
}

/// <summary>A module or plug-in that cannot be loaded: start-up stops and says which one and why.</summary>
public sealed class ModuleLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Finds service-line modules with Scrutor in the host's referenced assemblies and in every DLL of
/// the plug-in folder (loaded at start-up, no compile-time reference), creates each once, lets it
/// register its services, and returns the catalog of enabled ones.
/// </summary>
public static class ModuleLoader
{
    public static ModuleCatalog AddServiceLineModules(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(ModuleOptions.Section).Get<ModuleOptions>() ?? new ModuleOptions();
        var pluginFolder = Path.GetFullPath(Path.Combine(contentRoot, options.PluginFolder));
        var referenced = ReferencedModuleAssemblies();
        var plugins = LoadPluginAssemblies(pluginFolder);

        var loaded = new List<LoadedModule>();
        foreach (var type in FindModuleTypes(referenced.Concat(plugins).Distinct()))
        {
            var module = Create(type);
            var key = module.Info.Key;
            if (loaded.Any(m => m.Module.Info.Key == key))
            {
                throw new ModuleLoadException($"Two modules use the key '{key}': {loaded.First(m => m.Module.Info.Key == key).AssemblyName} and {type.Assembly.GetName().Name}.");
            }
            if (!configuration.GetValue($"{ModuleOptions.Section}:{key}:Enabled", true))
            {
                continue;
            }
            module.ConfigureServices(services, configuration);
            loaded.Add(new LoadedModule(module, type.Assembly.GetName().Name ?? type.Assembly.FullName!, plugins.Contains(type.Assembly)));
        }

        var catalog = new ModuleCatalog(loaded.OrderBy(m => m.Module.Info.Key, StringComparer.Ordinal).ToList());
        services.AddSingleton(catalog);
        return catalog;
    }

    /// <summary>Scrutor does the finding: every concrete <see cref="IServiceLineModule"/> in the given assemblies.</summary>
    private static IEnumerable<Type> FindModuleTypes(IEnumerable<Assembly> assemblies)
    {
        var scan = new ServiceCollection();
        var list = assemblies.ToList();
        try
        {
            scan.Scan(s => s.FromAssemblies(list)
                .AddClasses(c => c.AssignableTo<IServiceLineModule>(), publicOnly: true)
                .As<IServiceLineModule>()
                .WithSingletonLifetime());
        }
        catch (ReflectionTypeLoadException e)
        {
            throw new ModuleLoadException($"A module assembly has types that cannot be loaded: {e.LoaderExceptions.FirstOrDefault()?.Message}", e);
        }
        return scan.Select(d => d.ImplementationType!).Distinct();
    }

    private static IServiceLineModule Create(Type type)
    {
        try
        {
            return (IServiceLineModule)Activator.CreateInstance(type)!;
        }
        catch (Exception e)
        {
            var reason = e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message;
            throw new ModuleLoadException($"Module {type.FullName} in {type.Assembly.GetName().Name} could not be created: {reason}", e);
        }
    }

    /// <summary>The Tongxin assemblies the host was built with (its dependency context).</summary>
    private static List<Assembly> ReferencedModuleAssemblies()
    {
        var context = Microsoft.Extensions.DependencyModel.DependencyContext.Default;
        var names = context?.RuntimeLibraries
            .Where(l => l.Name.StartsWith("Tongxin.Modules.", StringComparison.Ordinal) && l.Name != typeof(IServiceLineModule).Assembly.GetName().Name)
            .Select(l => l.Name)
            .ToList() ?? [];
        return names.Select(n => Assembly.Load(new AssemblyName(n))).ToList();
    }

    private static HashSet<Assembly> LoadPluginAssemblies(string folder)
    {
        var assemblies = new HashSet<Assembly>();
        if (!Directory.Exists(folder))
        {
            return assemblies;
        }
        // A plug-in's own dependencies are looked for beside it.
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        var hostAssemblies = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).ToHashSet();
        foreach (var path in Directory.GetFiles(folder, "*.dll").OrderBy(p => p, StringComparer.Ordinal))
        {
            Assembly assembly;
            try
            {
                var name = AssemblyName.GetAssemblyName(path);
                if (hostAssemblies.Contains(name.Name))
                {
                    continue; // e.g. a copy of the contracts assembly: the host's own copy is the one to share.
                }
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
                _ = assembly.GetTypes();
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or ReflectionTypeLoadException or FileNotFoundException)
            {
                var reason = e is ReflectionTypeLoadException r ? r.LoaderExceptions.FirstOrDefault()?.Message ?? e.Message : e.Message;
                throw new ModuleLoadException($"Plug-in assembly '{Path.GetFileName(path)}' in {folder} could not be loaded: {reason}", e);
            }
            assemblies.Add(assembly);
        }
        return assemblies;
    }
}
