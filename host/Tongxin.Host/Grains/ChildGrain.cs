using Microsoft.EntityFrameworkCore;
using Tongxin.Grains;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Needs;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

/// <summary>What callers need to know of a child before asking the grain to change anything: where the file lives.</summary>
public sealed record ChildSnapshot(string Id, string RegionPath, int Version, bool HasConsent);

/// <summary>
/// The child (key: child id). Every change to one child's file and needs passes through it, one at a
/// time; its state is the file as last read or written. Writes go through EF Core with the file's
/// version, so a write that lost to another host fails, the runtime reloads and retries the turn.
/// </summary>
public interface IChildGrain : IGrainWithStringKey
{
    Task<ChildSnapshot> GetSnapshotAsync();

    Task<ChildFileSaved> UpdateFileAsync(UpdateChild request, string villagePath, string userId);

    Task<ContactLogged> LogContactAsync(LogContact request, string userId);

    Task<NeedCreated> RequestNeedAsync(NeedRequest request, string userId);

    Task CancelNeedAsync(string needId, string reason, string userId);
}

/// <summary>A need as the director asked for it, already validated by the line's module.</summary>
public sealed record NeedRequest(string Line, string DetailsJson, Urgency Urgency);

internal sealed class ChildGrain(IDbContextFactory<TongxinDbContext> databases, TimeProvider clock) : Grain, IChildGrain
{
    private ChildFile _file = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        _file = await db.Children.AsNoTracking().SingleOrDefaultAsync(c => c.Id == GrainKey, cancellationToken)
            ?? throw NotFoundException.Child();
    }

    public Task<ChildSnapshot> GetSnapshotAsync() =>
        Task.FromResult(new ChildSnapshot(_file.Id, _file.RegionPath, _file.Version, HasConsent(_file)));

    public async Task<ChildFileSaved> UpdateFileAsync(UpdateChild request, string villagePath, string userId)
    {
        // The client must have read the version we hold; if another host wrote since, the save below
        // fails, the state reloads, and this check then answers 409.
        if (request.Version != _file.Version)
        {
            throw new ConflictException(HostTexts.Local("conflict.staleVersion"), "version");
        }
        await using var db = await databases.CreateDbContextAsync();
        var file = await db.Children.SingleAsync(c => c.Id == GrainKey);
        db.Entry(file).Property(f => f.Version).OriginalValue = _file.Version;
        request.ApplyTo(file, villagePath);
        file.Version = _file.Version + 1;
        file.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        _file = file;
        return new ChildFileSaved(file.Id, file.Version);
    }

    public async Task<ContactLogged> LogContactAsync(LogContact request, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var contact = new ContactRecord
        {
            Id = Ids.New(),
            ChildId = GrainKey,
            Kind = request.Kind!.Value,
            At = request.At!.Value.ToUniversalTime(),
            Notes = request.Notes!.Trim(),
            RecordedByUserId = userId,
            RecordedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ChildContacts.Add(contact);
        await db.SaveChangesAsync();
        return new ContactLogged(contact.Id, GrainKey);
    }

    public async Task<NeedCreated> RequestNeedAsync(NeedRequest request, string userId)
    {
        if (!HasConsent(_file))
        {
            throw new RuleViolationException(HostTexts.Local("need.consent.missing"), "guardianConsent");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        var need = new Need
        {
            Id = Ids.New(),
            ChildId = GrainKey,
            Line = request.Line,
            DetailsJson = request.DetailsJson,
            Urgency = request.Urgency,
            Status = NeedStatus.Open,
            RegionPath = _file.RegionPath,
            CountyCode = RegionPaths.County(_file.RegionPath),
            CreatedByUserId = userId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.Needs.Add(need);
        await db.SaveChangesAsync();
        return new NeedCreated(need.Id, need.Status, need.Line, need.CountyCode);
    }

    public async Task CancelNeedAsync(string needId, string reason, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var need = await db.Needs.SingleOrDefaultAsync(n => n.Id == needId && n.ChildId == GrainKey)
            ?? throw new NotFoundException(HostTexts.Local("notFound.need"));
        if (need.Status is not (NeedStatus.Open or NeedStatus.Offered))
        {
            throw new ConflictException(HostTexts.Local("need.cancel.notOpen", need.Status.ToString().ToLowerInvariant()), "status");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var offer in await db.Offers.Where(o => o.NeedId == needId && o.Status == OfferStatus.Pending).ToListAsync())
        {
            offer.Status = OfferStatus.Withdrawn;
            offer.RespondedAt = now;
            offer.DeclineReason = reason;
            offer.Version++;
        }
        need.Status = NeedStatus.Cancelled;
        need.UpdatedAt = now;
        need.Version++;
        await db.SaveChangesAsync();
    }

    private static bool HasConsent(ChildFile file) => file.ConsentBy is not null && file.ConsentRecordedAt is not null;
}
