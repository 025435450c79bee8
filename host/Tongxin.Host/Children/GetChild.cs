using MediatR;
using Orleans;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

/// <summary><c>GET /api/children/{id}</c>: the whole file, for the staff of its region.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetChild(string Id) : IRequest<ChildFileView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.read";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => Id;
}

internal sealed class GetChildHandler(IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<GetChild, ChildFileView>
{
    public async Task<ChildFileView> Handle(GetChild request, CancellationToken cancellationToken)
    {
        // From the child's grain, whose memory every change passes through (ADR 0017); outside the caller's region
        // the file does not exist for them. The read's audit row is committed by the pipeline before the answer.
        var read = await grains.GetGrain<IChildGrain>(request.Id).ReadFileAsync();
        return callers.Current!.CanSee(read.RegionPath) ? read.View : throw Errors.NotFoundException.Child();
    }
}
