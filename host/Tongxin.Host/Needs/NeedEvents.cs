using MediatR;
using Orleans;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Needs;

[GenerateSerializer]
public sealed record NeedCreated([property: Id(0)] string Id, [property: Id(1)] NeedStatus Status, [property: Id(2)] string Line, [property: Id(3)] string CountyCode) : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;
}

/// <summary>A need is open again (offer declined, expired or withdrawn): matching should run.</summary>
public sealed record NeedReopened(string NeedId, string Line, string CountyCode) : INotification;
