using Microsoft.EntityFrameworkCore;
using Orleans;
using Orleans.Concurrency;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Needs;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

/// <summary>What callers need to know of a child before asking the grain to change anything: where the file lives.</summary>
[GenerateSerializer, Immutable]
public sealed record ChildSnapshot([property: Id(0)] string Id, [property: Id(1)] string RegionPath, [property: Id(2)] int Version);

/// <summary>
/// The child (key: child id). Every change to one child's file and needs passes through its one activation in the
/// cluster, one at a time; its state is the file as last read or written. Writes go through EF Core with the
/// file's version, so a write that lost to another writer fails, and the grain reloads and retries the call
/// (<see cref="VersionedGrain"/>).
/// </summary>
public interface IChildGrain : ILocatableGrain
{
    [ReadOnly]
    Task<ChildSnapshot> GetSnapshotAsync();

    /// <summary>
    /// The whole file, from this activation's memory: fresh, because every change to the child passes through it
    /// (ADR 0017). The caller checks the region (<see cref="ChildFileRead.RegionPath"/>) before showing it.
    /// </summary>
    [ReadOnly]
    Task<ChildFileRead> ReadFileAsync();

    Task<ChildFileSaved> UpdateFileAsync(UpdateChild request, string villagePath, string userId);

    Task<ContactLogged> LogContactAsync(LogContact request, string userId);

    Task<NeedCreated> RequestNeedAsync(NeedRequest request, string userId);

    Task CancelNeedAsync(string needId, string reason, string userId);

    /// <summary>Changes the risk level, with a reason, and keeps the change in the history. No change if already at that level.</summary>
    Task<RiskLevel> ChangeRiskAsync(RiskLevel to, string reason, string userId, string? concernId);

    Task RecordConsentAsync(GuardianConsentInput consent, string userId);

    /// <summary>Moves the file to another village and keeps the move; 409 while it has open needs.</summary>
    Task<ChildFileSaved> MoveAsync(string villageCode, string villagePath, string reason, string userId);

    /// <summary>Closes the file (kept, readable); 409 while it has open needs or active pairings, or is closed already.</summary>
    Task<ChildFileClosed> CloseFileAsync(string reason, string userId);

    /// <summary>
    /// Withdraws guardian consent, or only the <paramref name="purposes"/> named (all of them, or none named: the consent
    /// itself). Without matching, active pairings are suspended at once and pending offers withdrawn; returns how many
    /// pairings were suspended.
    /// </summary>
    Task<int> WithdrawConsentAsync(string reason, IReadOnlyList<string>? purposes, string userId);
}

/// <summary>A child's file as its grain holds it: where it lives (for the caller's region check), and the whole view.</summary>
[GenerateSerializer, Immutable]
public sealed record ChildFileRead([property: Id(0)] string RegionPath, [property: Id(1)] ChildFileView View);

/// <summary>A need as the director asked for it, already validated by the line's module.</summary>
[GenerateSerializer, Immutable]
public sealed record NeedRequest([property: Id(0)] string Line, [property: Id(1)] string DetailsJson, [property: Id(2)] Urgency Urgency);

internal sealed class ChildGrain(IDbContextFactory<TongxinDbContext> databases, GroupInserts inserts, TimeProvider clock, Security.FieldCipher cipher)
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

    public async Task<ContactLogged> LogContactAsync(LogContact request, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var contact = new ContactRecord
        {
            Id = Ids.New(),
            ChildId = Key,
            Kind = request.Kind!.Value,
            At = request.At!.Value.ToUniversalTime(),
            Notes = cipher.Seal(request.Notes!.Trim()),
            RecordedByUserId = userId,
            RecordedAt = clock.GetUtcNow().UtcDateTime,
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

    public async Task RecordConsentAsync(GuardianConsentInput consent, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        file.ConsentBy = consent.By!.Trim();
        file.ConsentRelation = consent.Relation!.Trim();
        file.ConsentRecordedAt = consent.RecordedAt!.Value.ToUniversalTime();
        file.ConsentPurposesJson = System.Text.Json.JsonSerializer.Serialize(ConsentPurposes.OrAll(consent.Purposes));
        file.ConsentWithdrawnAt = null;
        file.ConsentWithdrawnReason = null;
        await FollowMatchingConsentAsync(db, file, now, "consent does not cover matching");
        file.Version = File.Version + 1;
        file.UpdatedAt = now;
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Keep(file);
    }

    public async Task<int> WithdrawConsentAsync(string reason, IReadOnlyList<string>? purposes, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        var remaining = purposes is { Count: > 0 }
            ? ConsentPurposes.Of(file.ConsentPurposesJson).Except(purposes).ToList()
            : [];
        if (remaining.Count == 0)
        {
            // Nothing left: the consent itself is withdrawn.
            file.ConsentBy = null;
            file.ConsentRelation = null;
            file.ConsentRecordedAt = null;
        }
        file.ConsentPurposesJson = System.Text.Json.JsonSerializer.Serialize(remaining);
        file.ConsentWithdrawnAt = now;
        file.ConsentWithdrawnReason = reason;
        var suspended = await FollowMatchingConsentAsync(db, file, now, "consent withdrawn");
        file.Version = File.Version + 1;
        file.UpdatedAt = now;
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Keep(file);
        return suspended;
    }

    /// <summary>
    /// Pairings and offers follow the consent to matching: without it, active pairings are suspended at once and offers
    /// waiting for an answer are withdrawn (their needs wait, unmatched); with it again, suspended pairings go on.
    /// Returns how many pairings were suspended.
    /// </summary>
    private async Task<int> FollowMatchingConsentAsync(TongxinDbContext db, ChildFile file, DateTime now, string offerWithdrawnReason)
    {
        if (file.Covers(ConsentPurposes.Matching))
        {
            foreach (var pairing in await db.Pairings.Where(p => p.ChildId == Key && p.Status == PairingStatus.Suspended).ToListAsync())
            {
                pairing.Status = PairingStatus.Active;
            }
            return 0;
        }
        var suspended = await db.Pairings.Where(p => p.ChildId == Key && p.Status == PairingStatus.Active).ToListAsync();
        foreach (var pairing in suspended)
        {
            pairing.Status = PairingStatus.Suspended;
        }
        var needs = await db.Needs.Where(n => n.ChildId == Key && n.Status == NeedStatus.Offered).ToListAsync();
        var needIds = needs.Select(n => n.Id).ToList();
        foreach (var offer in await db.Offers.Where(o => needIds.Contains(o.NeedId) && o.Status == OfferStatus.Pending).ToListAsync())
        {
            OfferEndings.End(offer, OfferStatus.Withdrawn, now, offerWithdrawnReason);
        }
        foreach (var need in needs)
        {
            OfferEndings.BackToMatching(need, now);
        }
        return suspended.Count;
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
