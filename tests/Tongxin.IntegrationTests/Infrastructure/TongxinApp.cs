using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Persistence;
using Xunit;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// The real host (Program) on a fresh database, served over in-process HTTP. One per test class
/// (a class fixture), so classes run in parallel without sharing data.
/// </summary>
/// <summary>A host a test talks to: in-process (<see cref="TongxinApp"/>) or a real process (<see cref="ProcessApiHost"/>).</summary>
public interface IApiHost
{
    Task<Api> LoginAsync(string userName, string password);

    Task<Api> AdminAsync();
}

/// <summary>A real host process as a test's API host.</summary>
public sealed class ProcessApiHost(HostProcess host) : IApiHost
{
    public async Task<Api> LoginAsync(string userName, string password)
    {
        var api = host.Client();
        await api.LoginAsync(userName, password);
        return api;
    }

    public Task<Api> AdminAsync() => LoginAsync(TongxinApp.AdminUserName, TongxinApp.AdminPassword);
}

public abstract class TongxinApp : IAsyncLifetime, IApiHost
{
    public const string AdminUserName = "root-admin";
    public const string AdminPassword = "Admin#2026-secure";

    /// <summary>The field-encryption key of every test host (32 bytes, base64).</summary>
    public const string FieldKey = "dG9uZ3hpbi10ZXN0LWZpZWxkLWtleS0zMi1ieXRlcyE=";

    private WebApplicationFactory<Program>? _factory;

    protected abstract DatabaseProvider Provider { get; }

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>Extra settings for a class that needs them (a module switched off, a plug-in folder).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>A clock to put in place of the system's, for a class that moves time.</summary>
    protected virtual TimeProvider? ClockOverride => null;

    /// <summary>Extra services for a class that needs them (e.g. an event recorder standing in for a module).</summary>
    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public IServiceProvider Services => Factory.Services;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(Provider);
        _factory = CreateFactory(Database, ExtraSettings, ClockOverride, ConfigureTestServices);
        _ = _factory.Server; // start now, so a broken start fails the fixture, not a random test
    }

    public static WebApplicationFactory<Program> CreateFactory(
        TestDatabase database, IReadOnlyDictionary<string, string?>? extra = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        var pluginFolder = Directory.CreateTempSubdirectory("tongxin-plugins-").FullName;
        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Database:Provider", database.Provider.ToString());
            builder.UseSetting("Database:ConnectionString", database.ConnectionString);
            builder.UseSetting("Bootstrap:AdminUserName", AdminUserName);
            builder.UseSetting("Bootstrap:AdminPassword", AdminPassword);
            builder.UseSetting("Modules:PluginFolder", pluginFolder);
            builder.UseSetting("Encryption:FieldKey", FieldKey);
            // Tests sign in and list far faster than people do; RateLimitTests checks the limits themselves.
            builder.UseSetting("RateLimits:ListsPerMinute", "1000000");
            builder.UseSetting("RateLimits:LoginFailures", "1000");
            foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureTestServices(collection =>
            {
                if (clock is not null)
                {
                    collection.AddSingleton(clock);
                }
                services?.Invoke(collection);
            });
        });
    }

    public Api Anonymous() => new(Factory.CreateClient());

    public async Task<Api> LoginAsync(string userName, string password)
    {
        var api = Anonymous();
        await api.LoginAsync(userName, password);
        return api;
    }

    public Task<Api> AdminAsync() => LoginAsync(AdminUserName, AdminPassword);

    public T Scoped<T>(Func<IServiceProvider, T> use)
    {
        using var scope = Services.CreateScope();
        return use(scope.ServiceProvider);
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}

public sealed class SqliteApp : TongxinApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresApp : TongxinApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

/// <summary>The host with <see cref="SampleCounty"/> already set up through the API.</summary>
public abstract class CountyApp : TongxinApp, IAsyncLifetime
{
    public SampleCounty County { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        County = await SampleCounty.CreateAsync(this);
    }

    public Task<Api> As(string userName) => SampleCounty.As(this, userName);
}

public sealed class SqliteCounty : CountyApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresCounty : CountyApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

/// <summary>
/// The host with matching run only on request (<c>POST /api/matching/run</c>), so a test sees exactly
/// what one batch does; and a clock the test can move.
/// </summary>
public abstract class MatchingApp : TongxinApp
{
    public MovableClock Clock { get; } = new();

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Matching:AutoRun"] = "false" };

    protected override TimeProvider? ClockOverride => Clock;
}

public sealed class SqliteMatchingApp : MatchingApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresMatchingApp : MatchingApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}
