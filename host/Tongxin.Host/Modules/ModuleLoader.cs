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
/// Finds service-line modules with Scrutor in the host's referenced assemblies and in every DLL of the plug-in folder
/// (loaded at start-up, no compile-time reference). For each enabled line (its key read from
/// <see cref="ServiceLineAttribute"/>, before anything is built) it runs the line's <see cref="IServiceLineStartup"/>,
/// registers the module class, its assembly's MediatR handlers and FluentValidation validators (so its endpoints run
/// through the host's pipeline) and its database contexts (<see cref="ModuleDatabases"/>). The modules themselves are
/// built by dependency injection when the <see cref="ModuleCatalog"/> is first asked for (ADR 0019).
/// </summary>
public static class ModuleLoader
{
    public static IServiceCollection AddServiceLineModules(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(ModuleOptions.Section).Get<ModuleOptions>() ?? new ModuleOptions();
        var pluginFolder = Path.GetFullPath(Path.Combine(contentRoot, options.PluginFolder));
        var referenced = ReferencedModuleAssemblies();
        var plugins = LoadPluginAssemblies(pluginFolder);

        var found = new List<FoundModule>();
        foreach (var type in FindModuleTypes(referenced.Concat(plugins).Distinct()))
        {
            var line = type.GetCustomAttribute<ServiceLineAttribute>()
                ?? throw new ModuleLoadException($"Module {type.FullName} in {type.Assembly.GetName().Name} has no [ServiceLine(\"key\")] attribute: the host needs the line's key before it builds the module.");
            if (found.FirstOrDefault(m => m.Key == line.Key) is { } twin)
            {
                throw new ModuleLoadException($"Two modules use the key '{line.Key}': {twin.Type.Assembly.GetName().Name} and {type.Assembly.GetName().Name}.");
            }
            if (!configuration.GetValue($"{ModuleOptions.Section}:{line.Key}:Enabled", true))
            {
                continue;
            }
            RunStartup(line, type, services, configuration);
            services.AddSingleton(type);
            services.AddModuleRequests(type.Assembly);
            services.AddModuleDatabases(type.Assembly, line.Key);
            found.Add(new FoundModule(line.Key, type, plugins.Contains(type.Assembly)));
        }

        services.AddSingleton(provider => new ModuleCatalog(found
            .Select(m => new LoadedModule(Build(provider, m), m.Type.Assembly.GetName().Name ?? m.Type.Assembly.FullName!, m.FromPluginFolder))
            .OrderBy(m => m.Module.Info.Key, StringComparer.Ordinal)
            .ToList()));
        return services;
    }

    private sealed record FoundModule(string Key, Type Type, bool FromPluginFolder);

    private static void RunStartup(ServiceLineAttribute line, Type module, IServiceCollection services, IConfiguration configuration)
    {
        if (line.Startup is null)
        {
            return;
        }
        if (!typeof(IServiceLineStartup).IsAssignableFrom(line.Startup))
        {
            throw new ModuleLoadException($"The startup {line.Startup.FullName} of line '{line.Key}' does not implement IServiceLineStartup.");
        }
        try
        {
            ((IServiceLineStartup)Activator.CreateInstance(line.Startup)!).ConfigureServices(services, configuration);
        }
        catch (Exception e) when (e is not ModuleLoadException)
        {
            var reason = e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message;
            throw new ModuleLoadException($"The startup of line '{line.Key}' ({module.Assembly.GetName().Name}) failed: {reason}", e);
        }
    }

    /// <summary>
    /// The module's requests go through the host's pipeline (audit, role, the child's region, validation): its handlers,
    /// notification handlers and validators are registered exactly as the host's own (TongxinHost.AddRequestPipeline).
    /// </summary>
    private static void AddModuleRequests(this IServiceCollection services, Assembly assembly) =>
        services.Scan(scan => scan.FromAssemblies(assembly)
            .AddClasses(c => c.AssignableTo(typeof(MediatR.IRequestHandler<,>)), publicOnly: false)
                .AsImplementedInterfaces().WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(MediatR.INotificationHandler<>)), publicOnly: false)
                .AsImplementedInterfaces().WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(FluentValidation.IValidator<>)), publicOnly: false)
                .As(t => t.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(FluentValidation.IValidator<>)))
                .WithSingletonLifetime());

    private static IServiceLineModule Build(IServiceProvider provider, FoundModule found)
    {
        IServiceLineModule module;
        try
        {
            module = (IServiceLineModule)provider.GetRequiredService(found.Type);
        }
        catch (Exception e)
        {
            var reason = e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message;
            throw new ModuleLoadException($"Module {found.Type.FullName} in {found.Type.Assembly.GetName().Name} could not be created: {reason}", e);
        }
        if (module.Info.Key != found.Key)
        {
            throw new ModuleLoadException($"Module {found.Type.FullName} says its key is '{module.Info.Key}' but its [ServiceLine] attribute says '{found.Key}'.");
        }
        return module;
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
        // The host's own assemblies (every one it ships with, and those loaded from elsewhere) are shared, never loaded
        // again from the folder: a plug-in built against EF Core or MediatR uses the host's copy.
        var hostAssemblies = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFileNameWithoutExtension)
            .Concat(AppDomain.CurrentDomain.GetAssemblies()
                .Where(a => !a.IsDynamic && !string.Equals(Path.GetDirectoryName(a.Location), folder, StringComparison.Ordinal))
                .Select(a => a.GetName().Name))
            .ToHashSet();
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
