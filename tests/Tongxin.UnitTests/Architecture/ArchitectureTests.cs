using System.Reflection;
using FluentValidation;
using MediatR;
using Tongxin.Host.Requests;
using Tongxin.Modules.Contracts;

namespace Tongxin.UnitTests.Architecture;

/// <summary>The boundaries the design fixes, checked by reflection so they cannot drift.</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Host = typeof(IEndpointGroup).Assembly;

        /// <summary>Read from the dependency context, as the host's module loader reads its own.</summary>
    private static List<string> ModuleNames() =>
        Microsoft.Extensions.DependencyModel.DependencyContext.Default!.RuntimeLibraries
            .Select(l => l.Name)
            .Where(n => n.StartsWith("Tongxin.Modules.", StringComparison.Ordinal) && n != typeof(IServiceLineModule).Assembly.GetName().Name)
            .ToList();

    /// <summary>Each pair (module, other module or the host): the first never references the second.</summary>
    public static TheoryData<string, string> ForbiddenReferences
    {
        get
        {
            var modules = ModuleNames();
            var data = new TheoryData<string, string>();
            foreach (var module in modules)
            {
                foreach (var other in modules.Where(m => m != module).Append(Host.GetName().Name!))
                {
                    data.Add(module, other);
                }
            }
            return data;
        }
    }

    [Fact]
    public void TheHostShipsWithEveryServiceLineUnderModules()
    {
        // Every project under modules/ (but the contract) is a line the host ships, with no edit of the host: it
        // references them by a wildcard. A line missing here was left out of the build.
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Services.sln")))
        {
            folder = folder.Parent;
        }
        var projects = Directory.GetDirectories(Path.Combine(folder!.FullName, "modules"), "Tongxin.Modules.*")
            .Select(Path.GetFileName)
            .Where(name => name != typeof(IServiceLineModule).Assembly.GetName().Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(projects);
        Assert.Equal(projects, ModuleNames().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheLinesOfTheContractAreAmongThem()
    {
        // API.md names four lines; more may come, none of these may go.
        var keys = ModuleNames().SelectMany(name => Assembly.Load(name).GetTypes())
            .Where(t => typeof(IServiceLineModule).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => ((IServiceLineModule)Activator.CreateInstance(t)!).Info.Key)
            .ToList();
        Assert.Superset(new HashSet<string> { "tutoring", "counselling", "holiday-activities", "caring-mother" }, keys.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(ForbiddenReferences))]
    public void AModuleDoesNotReferenceAnotherModuleOrTheHost(string module, string forbidden)
    {
        var references = Assembly.Load(module).GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain(forbidden, references);
    }

    [Fact]
    public void HandlersAreNotPublic()
    {
        var handlers = Host.GetTypes().Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>))).ToList();
        Assert.NotEmpty(handlers);
        Assert.All(handlers, h => Assert.False(h.IsPublic, $"{h.Name} is public"));
    }

    [Fact]
    public void ValidatorsAreNotPublic()
    {
        var validators = Host.GetTypes().Where(t => typeof(IValidator).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        Assert.NotEmpty(validators);
        Assert.All(validators, v => Assert.False(v.IsPublic, $"{v.Name} is public"));
    }

    [Fact]
    public void EveryRequestSaysWhoMaySendIt()
    {
        var requests = RequestTypes();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.True(
            r.GetCustomAttribute<AllowedRolesAttribute>() is not null || r.GetCustomAttribute<AnonymousRequestAttribute>() is not null,
            $"{r.Name} has neither [AllowedRoles] nor [AnonymousRequest]"));
    }

    [Fact]
    public void RequestsAreImmutableRecords()
    {
        Assert.All(RequestTypes(), r =>
        {
            Assert.True(r.GetMethod("<Clone>$") is not null, $"{r.Name} is not a record");
            var setters = r.GetProperties().Where(p => p.SetMethod is { IsPublic: true } set
                && !set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)));
            Assert.Empty(setters);
        });
    }

    private static List<Type> RequestTypes() =>
        Host.GetTypes().Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>))).ToList();
}
