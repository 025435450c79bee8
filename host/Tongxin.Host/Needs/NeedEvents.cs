using MediatR;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Needs;

public sealed record NeedCreated(string Id, NeedStatus Status, string Line, string CountyCode) : Requests.IAuditSubject
{
    string Requests.IAuditSubject.AuditSubjectId => Id;
}

/// <summary>A need is open again (offer declined, expired or withdrawn): matching should run.</summary>
public sealed record NeedReopened(string NeedId, string Line, string CountyCode) : INotification;
