using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tongxin.Host.Persistence;
using Tongxin.Host.Safeguarding;
using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.IntegrationTests.Safeguarding;

/// <summary>Every log line the host writes, kept for the canary test.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Where concerns were passed on, standing in for an SMS gateway.</summary>
public sealed class RecordingNotifier : IConcernNotifier
{
    public ConcurrentQueue<ConcernNotice> Notices { get; } = new();

    public Task NotifyAsync(ConcernNotice notice, CancellationToken cancellationToken)
    {
        Notices.Enqueue(notice);
        return Task.CompletedTask;
    }
}

/// <summary>The host with a movable clock, captured logs and a recording notifier.</summary>
public abstract class SafeguardingApp : MatchingApp
{
    public CapturedLogs Logs { get; } = new();
    public RecordingNotifier Notifier { get; } = new();

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(Logs);
        services.AddSingleton<IConcernNotifier>(Notifier);
    }
}

public sealed class SqliteSafeguardingApp : SafeguardingApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresSafeguardingApp : SafeguardingApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}
