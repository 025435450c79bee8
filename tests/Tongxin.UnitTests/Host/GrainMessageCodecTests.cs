using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Serializers;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;

namespace Tongxin.UnitTests.Host;

/// <summary>
/// Orleans finds a type it cannot serialise only when a call carries it (CodecNotFoundException, at run time, on
/// the one request that happens to cross hosts). These tests walk every grain interface of the host instead: each
/// parameter and return type, and every type inside our own ones, must have a codec and a copier.
/// </summary>
public sealed class GrainMessageCodecTests
{
    private static readonly Assembly HostAssembly = typeof(VersionedGrain).Assembly;

    private static readonly IServiceProvider Serialization =
        new ServiceCollection().AddSerializer(builder => builder.AddAssembly(HostAssembly)).BuildServiceProvider();

    [Fact]
    public void EveryTypeAGrainTakesOrReturnsCanCrossHosts()
    {
        var interfaces = HostAssembly.GetTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t)).ToList();
        Assert.Contains(typeof(IChildGrain), interfaces);
        Assert.Contains(typeof(IProviderGrain), interfaces);
        Assert.Contains(typeof(IContractGrain), interfaces);

        var missing = new SortedSet<string>();
        foreach (var method in interfaces.SelectMany(i => i.GetMethods()))
        {
            var where = $"{method.DeclaringType!.Name}.{method.Name}";
            foreach (var parameter in method.GetParameters())
            {
                Walk(parameter.ParameterType, where, missing, []);
            }
            Walk(method.ReturnType, where, missing, []);
        }

        Assert.True(missing.Count == 0, "No codec or copier for:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void EveryErrorAGrainCanThrowCrossesHostsWithItsFields()
    {
        var missing = new SortedSet<string>();
        foreach (var type in HostAssembly.GetTypes().Where(t => t.Namespace == typeof(ConflictException).Namespace && typeof(Exception).IsAssignableFrom(t) && t.IsPublic))
        {
            Walk(type, "errors", missing, []);
        }
        Assert.True(missing.Count == 0, "No codec or copier for:\n" + string.Join('\n', missing));

        // A 409 or 422 answered by a grain on another host still names the field the user must fix.
        var serializer = Serialization.GetRequiredService<Serializer>();
        var conflict = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(new ConflictException("容量已满", "capacity")));
        Assert.Equal("capacity", Assert.IsType<ConflictException>(conflict).Field);
        Assert.Equal("容量已满", conflict.Message);
        var rule = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(new RuleViolationException("没有监护人同意", "guardianConsent")));
        Assert.Equal(["guardianConsent"], Assert.IsType<RuleViolationException>(rule).Errors!.Keys);
    }

    [Fact]
    public void TheWalkFindsAMessageWithoutAGeneratedSerializer()
    {
        // The check above can fail: a record a grain might send, with no [GenerateSerializer], is named.
        var missing = new SortedSet<string>();
        Walk(typeof(Task<IReadOnlyList<UnmarkedMessage>>), "Test.Method", missing, []);
        Assert.Contains(missing, m => m.Contains(nameof(UnmarkedMessage), StringComparison.Ordinal));
    }

    private static void Walk(Type type, string where, SortedSet<string> missing, HashSet<Type> seen)
    {
        if (type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask) || !seen.Add(type))
        {
            return;
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            Walk(type.GetGenericArguments()[0], where, missing, seen);
            return;
        }
        if (type == typeof(CancellationToken) || type == typeof(GrainCancellationToken))
        {
            return;
        }
        var codecs = Serialization.GetRequiredService<ICodecProvider>();
        var copiers = Serialization.GetRequiredService<IDeepCopierProvider>();
        if (codecs.TryGetCodec(type) is null)
        {
            missing.Add($"{type}: no codec (in {where})");
        }
        if (copiers.TryGetDeepCopier(type) is null)
        {
            missing.Add($"{type}: no copier (in {where})");
        }
        foreach (var argument in type.IsArray ? [type.GetElementType()!] : type.GetGenericArguments())
        {
            Walk(argument, where, missing, seen);
        }
        if (type.Namespace?.StartsWith("Tongxin", StringComparison.Ordinal) == true && !type.IsEnum)
        {
            // What our own types hold crosses with them.
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Where(f => f.DeclaringType == type))
            {
                Walk(field.FieldType, $"{where} → {type.Name}.{field.Name}", missing, seen);
            }
        }
    }

    public sealed record UnmarkedMessage(string Text);
}
