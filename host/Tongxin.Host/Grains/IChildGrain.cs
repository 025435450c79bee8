using Orleans;
using Orleans.Concurrency;
using Tongxin.Host.Children;
using Tongxin.Host.Needs;
using Tongxin.Host.Persistence;

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

    /// <summary>
    /// A roster import changed the file beside the grain (one transaction for the whole sheet, ADR 0021): load it again,
    /// unless this activation already holds <paramref name="version"/> or a later one (it was activated after the import).
    /// </summary>
    Task ReloadAsync(int version);

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

    /// <summary>Records who looks after the child (a new version of the arrangement, kept in its history); a failing reason raises the risk.</summary>
    Task<CareSaved> SetCareArrangementAsync(CareArrangementWrite write, string userId);

    /// <summary>Records a check of the arrangement at a home visit; a carer found unable, or an agreement gone, raises the risk.</summary>
    Task<CareSaved> CheckCareAsync(CareCheckWrite check, string userId);

    /// <summary>The daily sweep: an agreement that ran out since raises the risk once.</summary>
    Task<CareSaved> ReviewCareAsync(string userId);

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
