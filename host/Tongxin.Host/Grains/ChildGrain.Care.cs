using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Care;
using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

/// <summary>The arrangement as a write carries it: the rules' columns, and the rest already sealed by the caller.</summary>
[GenerateSerializer, Immutable]
public sealed record CareArrangementWrite(
    [property: Id(0)] ParentPresence Father,
    [property: Id(1)] ParentPresence Mother,
    [property: Id(2)] CarerAbility? CarerAbility,
    [property: Id(3)] DateOnly? AgreementSignedOn,
    [property: Id(4)] DateOnly? AgreementUntil,
    [property: Id(5)] string SealedDetails,
    [property: Id(6)] string SealedSnapshot,
    [property: Id(7)] int? Version);

/// <summary>A check of the arrangement at a home visit: still in place, carer still able; the snapshot (with notes) sealed.</summary>
[GenerateSerializer, Immutable]
public sealed record CareCheckWrite(
    [property: Id(0)] DateTime At, [property: Id(1)] bool AgreementInPlace, [property: Id(2)] CarerAbility CarerAbility, [property: Id(3)] string SealedSnapshot);

[GenerateSerializer, Immutable]
public sealed record CareSaved([property: Id(0)] int Version, [property: Id(1)] IReadOnlyList<FailingCareReason> Failing, [property: Id(2)] RiskLevel RiskLevel);

/// <summary>
/// Who looks after the child (issue 19). The arrangement changes through the child's grain, so that the change, its
/// history row and the risk it raises commit together and in turn with every other change to the file.
/// </summary>
internal sealed partial class ChildGrain
{
    public async Task<CareSaved> SetCareArrangementAsync(CareArrangementWrite write, string userId)
    {
        if (File.ClosedAt is not null)
        {
            throw new RuleViolationException(HostTexts.Local("child.closed"), "childId");
        }
        await using var db = await databases.CreateDbContextAsync();
        var care = await db.CareArrangements.SingleOrDefaultAsync(c => c.ChildId == Key);
        if (care is not null && write.Version is { } read && read != care.Version)
        {
            throw new ConflictException(HostTexts.Local("conflict.staleVersion"), "version");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (care is null)
        {
            care = new CareArrangement { ChildId = Key, Details = "", UpdatedByUserId = userId };
            db.CareArrangements.Add(care);
        }
        care.FatherPresence = write.Father;
        care.MotherPresence = write.Mother;
        care.CarerAbility = write.CarerAbility;
        // A new or changed agreement has not been checked yet: what the last check found of the old one no longer holds.
        if (care.AgreementSignedOn != write.AgreementSignedOn || care.AgreementUntil != write.AgreementUntil)
        {
            care.AgreementInPlace = null;
        }
        care.AgreementSignedOn = write.AgreementSignedOn;
        care.AgreementUntil = write.AgreementUntil;
        care.Details = write.SealedDetails;
        Stamp(db, care, CareChangeKind.Set, write.SealedSnapshot, userId, now);
        return await SaveWithRiskAsync(db, care, clock.Today(), userId);
    }

    public async Task<CareSaved> CheckCareAsync(CareCheckWrite check, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var care = await db.CareArrangements.SingleOrDefaultAsync(c => c.ChildId == Key)
            ?? throw new RuleViolationException(HostTexts.Local("care.check.noArrangement"), "childId");
        var now = clock.GetUtcNow().UtcDateTime;
        // A check older than the last one is history, not the current state.
        if (care.LastCheckedAt is null || check.At.ToUniversalTime() >= care.LastCheckedAt)
        {
            care.LastCheckedAt = check.At.ToUniversalTime();
            care.AgreementInPlace = care.AgreementSignedOn is null ? null : check.AgreementInPlace;
            care.CarerAbility = check.CarerAbility;
        }
        Stamp(db, care, CareChangeKind.Check, check.SealedSnapshot, userId, now);
        return await SaveWithRiskAsync(db, care, clock.Today(), userId);
    }

    /// <summary>A new version of the arrangement, and its row in the history.</summary>
    private void Stamp(TongxinDbContext db, CareArrangement care, CareChangeKind kind, string sealedSnapshot, string userId, DateTime now)
    {
        care.Version++;
        care.UpdatedAt = now;
        care.UpdatedByUserId = userId;
        db.CareArrangementChanges.Add(new CareArrangementChange { Id = Ids.New(), ChildId = Key, Kind = kind, Snapshot = sealedSnapshot, ByUserId = userId, At = now });
    }

    /// <summary>An agreement runs out with time, not with a write: the daily sweep asks each child with an arrangement.</summary>
    public async Task<CareSaved> ReviewCareAsync(string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var care = await db.CareArrangements.SingleOrDefaultAsync(c => c.ChildId == Key);
        if (care is null || File.ClosedAt is not null)
        {
            return new CareSaved(care?.Version ?? 0, [], File.RiskLevel);
        }
        return await SaveWithRiskAsync(db, care, clock.Today(), userId);
    }

    /// <summary>
    /// Commits the arrangement; a failing reason not acted on before raises the risk (with the reason in its history) when
    /// the file's risk is below what the reason calls for. Each reason raises it once while it lasts: a director who then
    /// lowers the risk, with a reason, is not overruled every day.
    /// </summary>
    private async Task<CareSaved> SaveWithRiskAsync(TongxinDbContext db, CareArrangement care, DateOnly today, string userId)
    {
        var after = CareRules.Failing(care, today);
        var actedOn = CareRules.Parse(care.RaisedFor);
        var fresh = after.Except(actedOn).OrderByDescending(CareRules.RiskFor).ToList();
        care.RaisedFor = CareRules.Format(after);
        ChildFile? file = null;
        if (fresh.Count > 0 && CareRules.RiskFor(fresh[0]) > File.RiskLevel)
        {
            var to = CareRules.RiskFor(fresh[0]);
            file = await db.Children.SingleAsync(c => c.Id == Key);
            db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
            db.RiskChanges.Add(NewRiskChange(file.RiskLevel, to, HostTexts.Get($"risk.reason.care.{CareRules.Key(fresh[0])}").Zh, userId, null));
            file.RiskLevel = to;
            file.Version = File.Version + 1;
            file.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync();
        }
        if (file is not null)
        {
            Keep(file);
        }
        return new CareSaved(care.Version, after, File.RiskLevel);
    }
}
