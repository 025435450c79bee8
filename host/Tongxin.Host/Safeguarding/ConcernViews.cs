using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Security;

namespace Tongxin.Host.Safeguarding;

public sealed record ConcernStepView(string Step, DateTime At, string? ByUserId, string? Reference, string? Notes);

/// <summary>A concern; <see cref="ChildId"/>, <see cref="Details"/> and <see cref="Steps"/> only for the staff of the child's region.</summary>
public sealed record ConcernView(
    string Id,
    ConcernKind Kind,
    ConcernStage Stage,
    DateTime RaisedAt,
    bool Escalated,
    DateTime PoliceReportDueAt,
    string? ChildId = null,
    string? VillageCode = null,
    string? RaisedByRole = null,
    string? Details = null,
    DateTime? ReportedToPoliceAt = null,
    string? PoliceReference = null,
    IReadOnlyList<ConcernStepView>? Steps = null);

/// <summary>A concern as a caller may see it: staff of the child's region with its details and steps, others its status.</summary>
internal static class ConcernViews
{
    public static async Task<ConcernView> ViewAsync(TongxinDbContext db, Concern concern, Caller caller, FieldCipher cipher, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var due = concern.RaisedAt + deadline;
        if (!ChildContact.IsFileStaff(caller))
        {
            // Whoever raised it from outside the file's staff follows its status, not its contents.
            return new ConcernView(concern.Id, concern.Kind, concern.Stage, concern.RaisedAt, concern.EscalatedAt is not null, due);
        }
        var steps = await db.ConcernSteps.AsNoTracking().Where(s => s.ConcernId == concern.Id).OrderBy(s => s.At).ThenBy(s => s.RecordedAt).ToListAsync(cancellationToken);
        return new ConcernView(
            concern.Id, concern.Kind, concern.Stage, concern.RaisedAt, concern.EscalatedAt is not null, due,
            concern.ChildId, RegionPaths.Village(concern.RegionPath), concern.RaisedByRole, cipher.Open(concern.Details),
            concern.ReportedToPoliceAt, concern.PoliceReference,
            steps.Select(s => new ConcernStepView(s.Step, s.At, s.ByUserId, s.Reference, cipher.Open(s.Notes))).ToList());
    }
}
