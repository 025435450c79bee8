using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;
using Tongxin.Host.PurchasedServices;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

[GenerateSerializer, Immutable]
public sealed record DeliveryRecorded([property: Id(0)] string Id, [property: Id(1)] bool Replayed);

/// <summary>
/// A purchased-service contract (key: contract id): the one place its delivered units change. Reports
/// run one at a time per contract; across hosts the contract's version makes all but one concurrent
/// write fail, and the grain retries the loser on fresh state (<see cref="VersionedGrain"/>). An Idempotency-Key is unique per
/// contract in the database, so a replay that raced its original finds it on retry.
/// </summary>
public interface IContractGrain : ILocatableGrain
{
    Task<DeliveryRecorded> ReportAsync(DeliveryInput input, string idempotencyKey, string userId);

    /// <summary>All rows or none: returns the number written, or throws 422 naming each bad row by its line number.</summary>
    Task<int> ImportAsync(IReadOnlyList<(int Line, DeliveryInput Input)> rows, IReadOnlyDictionary<string, string[]> unreadable, string userId);

    Task<DeliveryRecorded> CorrectAsync(string deliveryId, DeliveryInput replacement, string reason, string userId);

    Task WithdrawAsync(string deliveryId, string reason, string userId);
}

internal sealed class ContractGrain(IDbContextFactory<TongxinDbContext> databases, TimeProvider clock, Security.FieldCipher cipher) : VersionedGrain, IContractGrain
{
    private bool _exists;

    // State is read fresh inside each call; activation only checks the contract exists.
    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        _exists = await db.Contracts.AnyAsync(c => c.Id == Key, cancellationToken);
    }

    protected override NotFoundException? Missing => _exists ? null : new NotFoundException(HostTexts.Local("notFound.contract"));

    public async Task<DeliveryRecorded> ReportAsync(DeliveryInput input, string idempotencyKey, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var hash = input.Hash();
        var earlier = await db.Deliveries.AsNoTracking().SingleOrDefaultAsync(d => d.ContractId == Key && d.IdempotencyKey == idempotencyKey);
        if (earlier is not null)
        {
            // The same key and body is the same report again: same answer, no second row.
            return earlier.RequestHash == hash
                ? new DeliveryRecorded(earlier.Id, Replayed: true)
                : throw new RuleViolationException(HostTexts.Local("delivery.idempotency.otherBody"), "Idempotency-Key");
        }
        var contract = await db.Contracts.SingleAsync(c => c.Id == Key);
        var child = await ChildFactsAsync(db, [input.ChildId]);
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = DeliveryRules.Check(contract, input, child.GetValueOrDefault(input.ChildId), contract.Units - contract.DeliveredUnits, now);
        if (errors.Count > 0)
        {
            throw new RuleViolationException(errors[0].Message, errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
        var delivery = NewDelivery(contract, input, child[input.ChildId].RegionPath, userId, now, idempotencyKey, hash);
        db.Deliveries.Add(delivery);
        contract.DeliveredUnits += input.Units;
        contract.Version++;
        await db.SaveChangesAsync();
        return new DeliveryRecorded(delivery.Id, Replayed: false);
    }

    public async Task<int> ImportAsync(IReadOnlyList<(int Line, DeliveryInput Input)> rows, IReadOnlyDictionary<string, string[]> unreadable, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var contract = await db.Contracts.SingleAsync(c => c.Id == Key);
        var children = await ChildFactsAsync(db, rows.Select(r => r.Input.ChildId).Distinct().ToList());
        var now = clock.GetUtcNow().UtcDateTime;
        var remaining = contract.Units - contract.DeliveredUnits;
        var covered = Providers.ProviderJson.Strings(contract.CoveredPathsJson);
        var errors = new Dictionary<string, string[]>(unreadable);
        foreach (var (line, input) in rows)
        {
            var rowErrors = DeliveryRules.Check(contract, covered, input, children.GetValueOrDefault(input.ChildId), remaining, now);
            if (rowErrors.Count > 0)
            {
                errors[CsvRows.Key(line)] = rowErrors.Select(e => $"{e.Field}: {e.Message}").ToArray();
            }
            else
            {
                remaining -= input.Units;
            }
        }
        if (errors.Count > 0)
        {
            throw new RuleViolationException(HostTexts.Local("delivery.bulk.rejected", errors.Count), errors);
        }
        contract.DeliveredUnits += rows.Sum(r => r.Input.Units);
        contract.Version++;
        db.ChangeTracker.DetectChanges();
        // Many thousands of new rows: nothing in them to detect, so skip change detection over them.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.Deliveries.AddRange(rows.Select(r => NewDelivery(contract, r.Input, children[r.Input.ChildId].RegionPath, userId, now, null, null)));
        await db.SaveChangesAsync();
        return rows.Count;
    }

    public async Task<DeliveryRecorded> CorrectAsync(string deliveryId, DeliveryInput replacement, string reason, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var (contract, original) = await LoadRecordedAsync(db, deliveryId);
        var children = await ChildFactsAsync(db, [replacement.ChildId]);
        var now = clock.GetUtcNow().UtcDateTime;
        // The original's units are given back before the replacement is checked against what remains.
        var remaining = contract.Units - contract.DeliveredUnits + original.Units;
        var errors = DeliveryRules.Check(contract, replacement, children.GetValueOrDefault(replacement.ChildId), remaining, now);
        if (errors.Count > 0)
        {
            throw new RuleViolationException(errors[0].Message, errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
        original.Status = DeliveryStatus.Corrected;
        original.StatusReason = reason;
        var correction = NewDelivery(contract, replacement, children[replacement.ChildId].RegionPath, userId, now, null, null, correctsId: original.Id);
        db.Deliveries.Add(correction);
        contract.DeliveredUnits += replacement.Units - original.Units;
        contract.Version++;
        await db.SaveChangesAsync();
        return new DeliveryRecorded(correction.Id, Replayed: false);
    }

    public async Task WithdrawAsync(string deliveryId, string reason, string userId)
    {
        await using var db = await databases.CreateDbContextAsync();
        var (contract, original) = await LoadRecordedAsync(db, deliveryId);
        original.Status = DeliveryStatus.Withdrawn;
        original.StatusReason = reason;
        contract.DeliveredUnits -= original.Units;
        contract.Version++;
        await db.SaveChangesAsync();
    }

    private async Task<(PurchasedServiceContract, ServiceDelivery)> LoadRecordedAsync(TongxinDbContext db, string deliveryId)
    {
        var original = await db.Deliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.ContractId == Key)
            ?? throw new NotFoundException(HostTexts.Local("notFound.delivery"));
        if (original.Status != DeliveryStatus.Recorded)
        {
            throw new ConflictException(HostTexts.Local("delivery.notRecorded", original.Status.ToString().ToLowerInvariant()));
        }
        return (await db.Contracts.SingleAsync(c => c.Id == Key), original);
    }

    private static async Task<Dictionary<string, ChildFacts>> ChildFactsAsync(TongxinDbContext db, List<string> childIds)
    {
        var facts = new Dictionary<string, ChildFacts>(StringComparer.Ordinal);
        // In slices, so a 100,000-row upload does not become one enormous IN list.
        foreach (var slice in childIds.Chunk(1000))
        {
            var rows = await db.Children.AsNoTracking().Where(c => slice.Contains(c.Id)).Select(c => new { c.Id, c.RegionPath }).ToListAsync();
            var consenting = (await db.Children.AsNoTracking().Where(c => slice.Contains(c.Id))
                .Where(GuardianConsent.Covering(ConsentPurposes.Services)).Select(c => c.Id).ToListAsync()).ToHashSet(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                facts[row.Id] = new ChildFacts(row.RegionPath, consenting.Contains(row.Id));
            }
        }
        return facts;
    }

    private ServiceDelivery NewDelivery(PurchasedServiceContract contract, DeliveryInput input, string regionPath, string userId, DateTime now,
        string? idempotencyKey, string? hash, string? correctsId = null) => new()
    {
        Id = Ids.New(),
        ContractId = contract.Id,
        ChildId = input.ChildId,
        RegionPath = regionPath,
        At = input.At.ToUniversalTime(),
        Units = input.Units,
        Kind = input.Kind,
        Notes = cipher.Seal(input.Notes),
        Status = DeliveryStatus.Recorded,
        CorrectsId = correctsId,
        IdempotencyKey = idempotencyKey,
        RequestHash = hash,
        ReportedByUserId = userId,
        ReportedAt = now,
    };
}
