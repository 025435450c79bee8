using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary><c>POST /api/children/{id}/contacts</c>: the director logs a call or a home visit (the contact rhythm).</summary>
[AllowedRoles(Role.ChildDirector)]
[GenerateSerializer]
public sealed record LogContact([property: Id(0)] ContactKind? Kind, [property: Id(1)] DateTime? At, [property: Id(2)] string? Notes) : IRequest<ContactLogged>, IAuditedRequest
{
    public const int NotesMaxLength = 2000;

    [System.Text.Json.Serialization.JsonIgnore]
    [Id(3)]
    public string ChildId { get; init; } = "";

    /// <summary>The client's <c>Idempotency-Key</c> header (a record queued on a phone offline): sent twice, stored once.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Id(4)]
    public string? IdempotencyKey { get; init; }

    string IAuditedRequest.AuditAction => "child.contact.create";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

/// <summary>The stored contact; <c>Replayed</c> when an earlier request with the same Idempotency-Key and body stored it.</summary>
[GenerateSerializer]
public sealed record ContactLogged([property: Id(0)] string Id, [property: Id(1)] string ChildId, [property: Id(2)] bool Replayed = false);

[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ListContacts(string ChildId) : IRequest<IReadOnlyList<ContactView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.contact.list";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record ContactView(string Id, ContactKind Kind, DateTime At, string Notes, string RecordedByUserId);

internal sealed class LogContactValidator : AbstractValidator<LogContact>
{
    public LogContactValidator(TimeProvider clock)
    {
        RuleFor(r => r.Kind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.At).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at!.Value.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        // How old it may be is a rule (422), checked by the child's grain after a replay's lookup: FieldWork/FieldRecords.cs.
        RuleFor(r => r.Notes).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(LogContact.NotesMaxLength).WithMessage(_ => HostTexts.Local("field.tooLong", LogContact.NotesMaxLength));
    }
}

internal sealed class LogContactHandler(IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<LogContact, ContactLogged>
{
    public async Task<ContactLogged> Handle(LogContact request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = grains.GetGrain<IChildGrain>(request.ChildId);
        if (!caller.CanSee((await child.GetSnapshotAsync()).RegionPath))
        {
            throw Errors.NotFoundException.Child();
        }
        return await child.LogContactAsync(request, caller.UserId);
    }
}

internal sealed class ListContactsHandler(TongxinDbContext db, ICallerAccessor callers, Security.FieldCipher cipher) : IRequestHandler<ListContacts, IReadOnlyList<ContactView>>
{
    public async Task<IReadOnlyList<ContactView>> Handle(ListContacts request, CancellationToken cancellationToken)
    {
        var file = await db.LoadForCallerAsync(request.ChildId, callers.Current!, track: false, cancellationToken);
        var contacts = await db.ChildContacts.AsNoTracking()
            .Where(c => c.ChildId == file.Id)
            .OrderByDescending(c => c.At)
            .ToListAsync(cancellationToken);
        return contacts.Select(c => new ContactView(c.Id, c.Kind, c.At, cipher.Open(c.Notes), c.RecordedByUserId)).ToList();
    }
}
