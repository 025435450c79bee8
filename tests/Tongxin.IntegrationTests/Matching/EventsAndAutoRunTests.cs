using System.Collections.Concurrent;
using System.Net;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.IntegrationTests.Infrastructure;
using Tongxin.Modules.Contracts;
using Xunit;

namespace Tongxin.IntegrationTests.Matching;

/// <summary>What a module's notification handlers would receive, recorded.</summary>
public sealed class EventRecorder :
    INotificationHandler<NeedRequested>, INotificationHandler<OfferMade>, INotificationHandler<PairingAccepted>, INotificationHandler<PairingEnded>
{
    public ConcurrentQueue<INotification> Events { get; } = new();

    public Task Handle(NeedRequested notification, CancellationToken cancellationToken) => Record(notification);
    public Task Handle(OfferMade notification, CancellationToken cancellationToken) => Record(notification);
    public Task Handle(PairingAccepted notification, CancellationToken cancellationToken) => Record(notification);
    public Task Handle(PairingEnded notification, CancellationToken cancellationToken) => Record(notification);

    private Task Record(INotification notification)
    {
        Events.Enqueue(notification);
        return Task.CompletedTask;
    }
}

/// <summary>The host as deployed (matching runs by itself), with a handler registered the way a module registers one.</summary>
public sealed class AutoMatchingApp : TongxinApp
{
    public EventRecorder Recorder { get; } = new();

    protected override Tongxin.Host.Persistence.DatabaseProvider Provider => Tongxin.Host.Persistence.DatabaseProvider.Sqlite;

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.AddSingleton<INotificationHandler<NeedRequested>>(Recorder);
        services.AddSingleton<INotificationHandler<OfferMade>>(Recorder);
        services.AddSingleton<INotificationHandler<PairingAccepted>>(Recorder);
        services.AddSingleton<INotificationHandler<PairingEnded>>(Recorder);
    }
}

public sealed class EventsAndAutoRunTests(AutoMatchingApp app) : IClassFixture<AutoMatchingApp>
{
    [Fact]
    public async Task MatchingRunsByItselfAndEveryStepIsAnEventAModuleCanHandle()
    {
        var county = await TestCounty.CreateAsync(app);
        var (_, volunteer) = await county.VolunteerAsync("auto", "female", county.VillageA1, ["caring-mother"],
            new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } });
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });

        // No one runs matching: the new need is enough.
        var offers = await EventuallyAsync(async () => (await volunteer.GetAsync("/api/offers?mine=true")).Array, a => a.Count > 0);
        var offerId = Assert.Single(offers)!["id"]!.GetValue<string>();
        var pairing = (await volunteer.PostAsync($"/api/offers/{offerId}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        (await volunteer.PostAsync($"/api/pairings/{pairing}/end", new { reason = "孩子随父母进城" })).AssertStatus(HttpStatusCode.OK);

        var events = app.Recorder.Events.ToList();
        Assert.Contains(events, e => e is NeedRequested r && r.NeedId == need && r.ChildId == child && r.Line == "caring-mother");
        Assert.Contains(events, e => e is OfferMade o && o.OfferId == offerId && o.NeedId == need);
        Assert.Contains(events, e => e is PairingAccepted p && p.PairingId == pairing && p.ChildId == child);
        Assert.Contains(events, e => e is PairingEnded p && p.PairingId == pairing);
    }

    [Fact]
    public async Task NeedsRequestedWhileTheirBatchWaitsItsTurnAreAllMatched()
    {
        var county = await TestCounty.CreateAsync(app);
        var (_, volunteer) = await county.VolunteerAsync("paced", "female", county.VillageA1, ["caring-mother"],
            new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } }, capacity: 3);
        var children = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            children.Add(await county.ChildAsync("director-a1", county.VillageA1));
        }

        // Vetting the volunteer has just run the county's batch, so these needs arrive while its batches are paced
        // (Matching:AutoRunInterval): they wait, folded into one later batch, and none is lost.
        foreach (var child in children)
        {
            await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });
        }

        var offers = await EventuallyAsync(async () => (await volunteer.GetAsync("/api/offers?mine=true")).Array, a => a.Count == 3);
        Assert.Equal(3, offers.Count);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }
}
