using System.Reflection;
using FluentValidation;
using MediatR;
using Tongxin.Host.Requests;
using Tongxin.Modules.Contracts;
using Xunit.Abstractions;

namespace Tongxin.UnitTests.Architecture;

/// <summary>The boundaries the design fixes, checked by reflection so they cannot drift.</summary>
public sealed class ArchitectureTests(ITestOutputHelper output)
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

    [Fact]
    public void EveryLineFoundNamesItsKeyBeforeItIsBuilt()
    {
        // The host reads [ServiceLine] to skip a line switched off before building anything of it, and refuses to start
        // when the attribute and the module's own key differ: each line found must agree with itself.
        var modules = ModuleNames().SelectMany(name => Assembly.Load(name).GetTypes())
            .Where(t => typeof(IServiceLineModule).IsAssignableFrom(t) && !t.IsAbstract)
            .ToList();
        Assert.NotEmpty(modules);
        foreach (var module in modules)
        {
            var line = module.GetCustomAttribute<ServiceLineAttribute>();
            Assert.True(line is not null, $"{module.FullName} has no [ServiceLine(\"key\")].");
            Assert.Equal(line.Key, ((IServiceLineModule)Activator.CreateInstance(module)!).Info.Key);
        }
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

    [Fact]
    public void EveryRequestIsAuditedOrSaysWhyNot()
    {
        var requests = RequestTypes();
        var audited = requests.Where(r => typeof(IAuditedRequest).IsAssignableFrom(r)).ToList();
        var explained = requests.Where(r => r.GetCustomAttribute<NotAuditedAttribute>() is not null).ToList();
        // The figures a reviewer (and the note) reads: how much of the API writes its audit row, and why the rest does not.
        output.WriteLine($"{requests.Count} requests: {audited.Count} audited, {explained.Count} [NotAudited], {requests.Count - audited.Count - explained.Count} neither");
        foreach (var request in explained.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            output.WriteLine($"  [NotAudited] {request.Name}: {request.GetCustomAttribute<NotAuditedAttribute>()!.Reason}");
        }
        var gaps = AuditGaps(requests);
        Assert.True(gaps.Count == 0, "Every request writes its audit row (IAuditedRequest) or says why not ([NotAudited(\"reason\")]):\n" + string.Join("\n", gaps));
    }

    [Fact]
    public void TheAuditCheckNamesEveryRequestThatIsNeitherAuditedNorExplained()
    {
        var gaps = AuditGaps([typeof(SilentRequest), typeof(EmptyReasonRequest), typeof(AuditedAndExplainedRequest), typeof(AuditedRequest), typeof(ExplainedRequest)]);

        Assert.Equal(
            [
                $"{nameof(SilentRequest)} is neither IAuditedRequest nor [NotAudited]",
                $"{nameof(EmptyReasonRequest)} is [NotAudited] without a reason",
                $"{nameof(AuditedAndExplainedRequest)} is both IAuditedRequest and [NotAudited]",
            ],
            gaps);
    }

    /// <summary>What is wrong with each request's audit, one line per request that is wrong.</summary>
    private static List<string> AuditGaps(IEnumerable<Type> requests)
    {
        var gaps = new List<string>();
        foreach (var request in requests)
        {
            var audited = typeof(IAuditedRequest).IsAssignableFrom(request);
            var notAudited = request.GetCustomAttribute<NotAuditedAttribute>();
            if (audited && notAudited is not null)
            {
                gaps.Add($"{request.Name} is both IAuditedRequest and [NotAudited]");
            }
            else if (notAudited is not null && string.IsNullOrWhiteSpace(notAudited.Reason))
            {
                gaps.Add($"{request.Name} is [NotAudited] without a reason");
            }
            else if (!audited && notAudited is null)
            {
                gaps.Add($"{request.Name} is neither IAuditedRequest nor [NotAudited]");
            }
        }
        return gaps;
    }

    /// <summary>The host's requests and those of every line under modules/: a line's request passes the same audit.</summary>
    private static List<Type> RequestTypes() =>
        ModuleNames().Select(name => Assembly.Load(name)).Prepend(Host).SelectMany(a => a.GetTypes()).Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>))).ToList();

    // Requests of the audit check's own test: one of each kind it must name, and two it must let pass.
    private sealed record SilentRequest : IRequest<int>;

    [NotAudited(" ")]
    private sealed record EmptyReasonRequest : IRequest<int>;

    [NotAudited("a reason, but the request is audited too")]
    private sealed record AuditedAndExplainedRequest : AuditedFixture, IRequest<int>;

    private sealed record AuditedRequest : AuditedFixture, IRequest<int>;

    private abstract record AuditedFixture : IAuditedRequest
    {
        string IAuditedRequest.AuditAction => "test.read";
        string IAuditedRequest.AuditSubjectType => "test";
        string? IAuditedRequest.AuditSubjectId => null;
    }

    [NotAudited("holds no personal data")]
    private sealed record ExplainedRequest : IRequest<int>;
}
