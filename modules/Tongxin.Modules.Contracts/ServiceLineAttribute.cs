using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Tongxin.Modules.Contracts;

/// <summary>
/// Marks a service line's module class with its key (the same as <see cref="ModuleInfo.Key"/>; the host refuses to
/// start when they differ) and, optionally, the class that registers its services. The host reads the key before
/// any module is built, so a line switched off (<c>Modules:&lt;key&gt;:Enabled=false</c>) registers nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ServiceLineAttribute(string key) : Attribute
{
    public string Key { get; } = key;

    /// <summary>An <see cref="IServiceLineStartup"/> with a public parameterless constructor, or null.</summary>
    public Type? Startup { get; init; }
}

/// <summary>
/// Registers a line's own services (options, a database context, clients) before the host's container is built. The
/// module class itself, its MediatR handlers, notification handlers and FluentValidation validators are found and
/// registered by the host; the module is then built by dependency injection and may take any of them.
/// </summary>
public interface IServiceLineStartup
{
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}

/// <summary>
/// Marks a module's EF Core context: the host registers it on the host's database and provider (SQLite or
/// PostgreSQL), and applies its migrations after the host's at start, recorded in the module's own history table
/// (<c>__tongxin_&lt;key&gt;_migrations</c>). The context's constructor takes its <c>DbContextOptions&lt;T&gt;</c>. Write its
/// migrations without store types, as the host's (ADR 0002), so one set serves both databases.
/// </summary>
public interface IModuleDbContext;
