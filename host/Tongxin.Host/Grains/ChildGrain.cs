using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.FieldWork;
using Tongxin.Host.Needs;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

internal sealed partial class ChildGrain(
    IDbContextFactory<TongxinDbContext> databases, GroupInserts inserts, TimeProvider clock, Security.FieldCipher cipher, IOptions<FieldWorkOptions> fieldWork)
    : VersionedGrain, IChildGrain
{
    // Null when no file has this id (an unknown id was asked for): calls answer 404 until the activation is collected.
    // (Not deactivated at once: a call that activated it would be forwarded to a new activation, and again.)
    private ChildFile? _file;
    private DateTime? _lastCallAt;
    private DateTime? _lastHomeVisitAt;
    // The file as the staff read it, built on the first read after a change (and each new day: it holds the age).
    private ChildFileRead? _read;
    private DateOnly _readOn;

    private ChildFile File => _file ?? throw NotFoundException.Child();

    protected override NotFoundException? Missing => _file is null ? NotFoundException.Child() : null;

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // The file with its last call and last home visit, each the last entry of the (ChildId, Kind, At) index.
        var stored = await db.Children.AsNoTracking()
            .Where(c => c.Id == Key)
            .Select(c => new
            {
                File = c,
                LastCallAt = db.ChildContacts.Where(x => x.ChildId == c.Id && x.Kind == ContactKind.Call).Max(x => (DateTime?)x.At),
                LastHomeVisitAt = db.ChildContacts.Where(x => x.ChildId == c.Id && x.Kind == ContactKind.HomeVisit).Max(x => (DateTime?)x.At),
            })
            .SingleOrDefaultAsync(cancellationToken);
        Keep(stored?.File);
        (_lastCallAt, _lastHomeVisitAt) = (stored?.LastCallAt, stored?.LastHomeVisitAt);
    }

    public Task<ChildSnapshot> GetSnapshotAsync() =>
        Task.FromResult(new ChildSnapshot(File.Id, File.RegionPath, File.Version));

    public Task<ChildFileRead> ReadFileAsync()
    {
        var today = clock.Today();
        if (_read is null || _readOn != today)
        {
            var file = File;
            _read = new ChildFileRead(file.RegionPath, new ChildFileView(
                file.Id, file.GivenName, file.FamilyName, file.Gender, file.BirthDate, ChinaCalendar.AgeOn(file.BirthDate, today),
                file.VillageCode, file.Category, file.GuardianSituation, file.RiskLevel, PriorityGroups.Of(file),
                ChildViewMapping.Consent(file), file.Version, file.CreatedAt, file.UpdatedAt, _lastCallAt, _lastHomeVisitAt,
                file.ClosedAt, file.ClosedReason));
            _readOn = today;
        }
        return Task.FromResult(_read);
    }

    /// <summary>The file as last read or written; whatever was built from the one before is dropped.</summary>
    private void Keep(ChildFile? file)
    {
        _file = file;
        _read = null;
    }

    public async Task<ChildFileSaved> UpdateFileAsync(UpdateChild request, string villagePath, string userId)
    {
        // The client must have read the version we hold. A newer one means this grain's memory is behind (someone
        // wrote beside it): reload and look again. An older one means the client's copy is stale: 409. If another
        // writer gets in between, the save below fails on the version, and the state reloads the same way.
        if (request.Version > File.Version)
        {
            throw new StaleGrainStateException($"Child {Key}: the caller read version {request.Version}, the grain holds {File.Version}.");
        }
        if (request.Version != File.Version)
        {
            throw new ConflictException(HostTexts.Local("conflict.staleVersion"), "version");
        }
        await using var db = await databases.CreateDbContextAsync();
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        var riskBefore = file.RiskLevel;
        var pathBefore = file.RegionPath;
        request.ApplyTo(file, villagePath);
        if (file.RegionPath != pathBefore)
        {
            // Kept for the quarterly ledger's "moved" (and so last quarter's figures stay what they were).
            db.ChildMoves.Add(new ChildMove { Id = Ids.New(), ChildId = file.Id, FromPath = pathBefore, ToPath = file.RegionPath, At = clock.GetUtcNow().UtcDateTime, ByUserId = userId });
        }
        if (file.RiskLevel != riskBefore)
        {
            // The risk level changes only with a reason, and the change is kept (000 §3.1).
            if (string.IsNullOrWhiteSpace(request.RiskReason))
            {
                throw RequestValidationException.ForField("riskReason", HostTexts.Local("risk.reason.required"));
            }
            db.RiskChanges.Add(NewRiskChange(riskBefore, file.RiskLevel, request.RiskReason.Trim(), userId, null));
        }
        file.Version = File.Version + 1;
        file.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        Keep(file);
        return new ChildFileSaved(file.Id, file.Version);
    }

    public async Task ReloadAsync(int version)
    {
        if (File.Version < version)
        {
            await LoadAsync(CancellationToken.None);
        }
    }

    public async Task<ContactLogged> LogContactAsync(LogContact request, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var notes = request.Notes!.Trim();
        var hash = request.IdempotencyKey is null ? null : FieldRecords.Hash(userId, request.Kind, request.At, notes);
        if (request.IdempotencyKey is not null)
        {
            // One activation per child in the cluster, so the lookup and the insert below do not race another copy.
            var earlier = await db.ChildContacts.AsNoTracking().Where(c => c.ChildId == Key && c.IdempotencyKey == request.IdempotencyKey)
                .Select(c => new { c.Id, c.RequestHash }).SingleOrDefaultAsync();
            if (earlier is not null)
            {
                FieldRecords.EnsureSameBody(earlier.RequestHash, hash!);
                return new ContactLogged(earlier.Id, Key, Replayed: true);
            }
        }
        var now = clock.GetUtcNow().UtcDateTime;
        FieldRecords.CheckNotTooOld(request.At!.Value, now, fieldWork.Value);
        var contact = new ContactRecord
        {
            Id = Ids.New(),
            ChildId = Key,
            Kind = request.Kind!.Value,
            At = request.At!.Value.ToUniversalTime(),
            Notes = cipher.Seal(notes),
            RecordedByUserId = userId,
            RecordedAt = now,
            IdempotencyKey = request.IdempotencyKey,
            RequestHash = hash,
        };
        db.ChildContacts.Add(contact);
        await db.SaveChangesAsync();
        // The file shows the last call and the last visit: a contact logged late (catching up) may be older than them.
        if (contact.Kind == ContactKind.Call && !(contact.At <= _lastCallAt))
        {
            _lastCallAt = contact.At;
        }
        else if (contact.Kind == ContactKind.HomeVisit && !(contact.At <= _lastHomeVisitAt))
        {
            _lastHomeVisitAt = contact.At;
        }
        _read = null;
        return new ContactLogged(contact.Id, Key);
    }

    public async Task<NeedCreated> RequestNeedAsync(NeedRequest request, string userId)
    {
        if (File.ClosedAt is not null)
        {
            throw new RuleViolationException(HostTexts.Local("child.closed"), "childId");
        }
        if (File.Refusal(ConsentPurposes.Matching) is { } refusal)
        {
            throw refusal;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var need = new Need
        {
            Id = Ids.New(),
            ChildId = Key,
            Line = request.Line,
            DetailsJson = request.DetailsJson,
            Urgency = request.Urgency,
            Status = NeedStatus.Open,
            RegionPath = File.RegionPath,
            CountyCode = RegionPaths.County(File.RegionPath),
            CreatedByUserId = userId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        // Only adds a row, and reads nothing back: committed with other requests' needs in one transaction (the
        // request's audit row with it), answered once that has committed.
        await inserts.InsertAsync(need);
        return new NeedCreated(need.Id, need.Status, need.Line, need.CountyCode);
    }

    public async Task CancelNeedAsync(string needId, string reason, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var need = await db.Needs.SingleOrDefaultAsync(n => n.Id == needId && n.ChildId == Key)
            ?? throw new NotFoundException(HostTexts.Local("notFound.need"));
        if (need.Status is not (NeedStatus.Open or NeedStatus.Offered))
        {
            throw new ConflictException(HostTexts.Local("need.cancel.notOpen", need.Status.ToString().ToLowerInvariant()), "status");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var offer in await db.Offers.Where(o => o.NeedId == needId && o.Status == OfferStatus.Pending).ToListAsync())
        {
            OfferEndings.End(offer, OfferStatus.Withdrawn, now, reason);
        }
        need.Status = NeedStatus.Cancelled;
        need.UpdatedAt = now;
        need.Version++;
        await db.SaveChangesAsync();
    }

    public async Task<ChildFileSaved> MoveAsync(string villageCode, string villagePath, string reason, string userId)
    {
        if (File.RegionPath == villagePath)
        {
            return new ChildFileSaved(File.Id, File.Version);
        }
        await using var db = await databases.CreateDbContextAsync();
        var openNeeds = await db.Needs.CountAsync(n => n.ChildId == Key && (n.Status == NeedStatus.Open || n.Status == NeedStatus.Offered));
        if (openNeeds > 0)
        {
            throw new ConflictException(HostTexts.Local("child.move.openNeeds", openNeeds), "status");
        }
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        var now = clock.GetUtcNow().UtcDateTime;
        db.ChildMoves.Add(new ChildMove { Id = Ids.New(), ChildId = file.Id, FromPath = file.RegionPath, ToPath = villagePath, At = now, ByUserId = userId, Reason = reason });
        file.VillageCode = villageCode;
        file.RegionPath = villagePath;
        file.Version = File.Version + 1;
        file.UpdatedAt = now;
        await db.SaveChangesAsync();
        Keep(file);
        return new ChildFileSaved(file.Id, file.Version);
    }

    public async Task<ChildFileClosed> CloseFileAsync(string reason, string userId)
    {
        if (File.ClosedAt is not null)
        {
            throw new ConflictException(HostTexts.Local("child.closed"), "status");
        }
        await using var db = await databases.CreateDbContextAsync();
        var openNeeds = await db.Needs.CountAsync(n => n.ChildId == Key && (n.Status == NeedStatus.Open || n.Status == NeedStatus.Offered));
        var activePairings = await db.Pairings.CountAsync(p => p.ChildId == Key && p.Status != PairingStatus.Ended);
        if (openNeeds > 0 || activePairings > 0)
        {
            throw new ConflictException(HostTexts.Local("child.close.busy", openNeeds, activePairings), "status");
        }
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        var now = clock.GetUtcNow().UtcDateTime;
        file.ClosedAt = now;
        file.ClosedReason = reason;
        file.Version = File.Version + 1;
        file.UpdatedAt = now;
        await db.SaveChangesAsync();
        Keep(file);
        return new ChildFileClosed(file.Id, now);
    }

    public async Task<RiskLevel> ChangeRiskAsync(RiskLevel to, string reason, string userId, string? concernId)
    {
        if (File.RiskLevel == to)
        {
            return to;
        }
        await using var db = await databases.CreateDbContextAsync();
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        db.RiskChanges.Add(NewRiskChange(file.RiskLevel, to, reason, userId, concernId));
        file.RiskLevel = to;
        file.Version = File.Version + 1;
        file.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        Keep(file);
        return to;
    }

    private RiskChange NewRiskChange(RiskLevel from, RiskLevel to, string reason, string userId, string? concernId) => new()
    {
        Id = Ids.New(),
        ChildId = Key,
        From = from,
        To = to,
        Reason = reason,
        ConcernId = concernId,
        ByUserId = userId,
        At = clock.GetUtcNow().UtcDateTime,
    };
}
