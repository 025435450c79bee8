using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Providers;

/// <summary>
/// <c>POST /api/volunteers</c>: a programme owner, social-work organisation or civil affairs registers a
/// volunteer, or a volunteer registers themself. Nobody is offered a child until vetted (<c>PUT …/vetting</c>).
/// </summary>
[AllowedRoles(Role.ProgrammeOwner, Role.SocialWorkOrg, Role.CivilAffairs, Role.Volunteer)]
public sealed record RegisterVolunteer(
    string? UserId,
    string? DisplayName,
    Gender? Gender,
    string? RegionCode,
    IReadOnlyList<string>? Lines,
    Dictionary<string, JsonElement>? Skills,
    int? Capacity,
    IReadOnlyList<string>? Availability) : IRequest<ProviderCreated>, IAuditedRequest
{
    /// <summary>
    /// Without a capacity in the registration, each line says its own (<see cref="IServiceLineModule.DefaultCapacity"/>:
    /// a Caring Mother one child at a time), and a volunteer of several lines takes the smallest.
    /// </summary>
    public const int MaxCapacity = 20;

    string IAuditedRequest.AuditAction => "volunteer.register";
    string IAuditedRequest.AuditSubjectType => "volunteer";
    // Learned from the answer (the new volunteer's id).
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class RegisterVolunteerValidator : AbstractValidator<RegisterVolunteer>
{
    public RegisterVolunteerValidator(ModuleCatalog modules)
    {
        RuleFor(r => r).Custom((request, context) =>
        {
            var lines = (request.Lines ?? []).Distinct().ToList();
            if (lines.Any(line => modules.Find(line) is null))
            {
                context.AddFailure("lines", modules.UnknownLineMessage());
            }
            foreach (var module in lines.Select(modules.Find).OfType<IServiceLineModule>())
            {
                var skills = request.Skills is not null && request.Skills.TryGetValue(module.Info.Key, out var s) ? s : ((JsonElement?)null).OrEmptyObject();
                context.AddModuleErrors(module.ValidateProviderOffer(skills), $"skills.{module.Info.Key}");
            }
            foreach (var key in (request.Skills ?? []).Keys.Where(k => !lines.Contains(k)))
            {
                context.AddFailure($"skills.{key}", HostTexts.Local("provider.skills.notInLines"));
            }
        });
        RuleFor(r => r.DisplayName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
        RuleFor(r => r.Gender).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.RegionCode).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Lines).NotEmpty().WithMessage(_ => HostTexts.Local("provider.lines.required"));
        RuleFor(r => r.Capacity).InclusiveBetween(1, RegisterVolunteer.MaxCapacity).When(r => r.Capacity is not null)
            .WithMessage(_ => HostTexts.Local("field.range", 1, RegisterVolunteer.MaxCapacity));
        RuleForEach(r => r.Availability).Must(slot => TimeSlots.All.Contains(slot))
            .WithMessage(_ => HostTexts.Local("provider.availability.unknown", string.Join(", ", TimeSlots.All)))
            .OverridePropertyName("availability");
    }
}

internal sealed class RegisterVolunteerHandler(
    TongxinDbContext db, ICallerAccessor callers, TimeProvider clock, ModuleCatalog modules)
    : IRequestHandler<RegisterVolunteer, ProviderCreated>
{
    public async Task<ProviderCreated> Handle(RegisterVolunteer request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var lines = request.Lines!.Distinct().ToList();

        var region = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == request.RegionCode, cancellationToken)
            ?? throw RequestValidationException.ForField("regionCode", HostTexts.Local("region.unknown"));
        caller.EnsureCanSee(region.Path);

        // A volunteer registers themself only; staff may link an existing volunteer account.
        var userId = caller.Role == Role.Volunteer ? caller.UserId : request.UserId;
        if (caller.Role != Role.Volunteer && request.UserId is not null)
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == request.UserId, cancellationToken);
            if (user is null || user.Role != Role.Volunteer || !caller.CanSee(user.RegionPath))
            {
                throw RequestValidationException.ForField("userId", HostTexts.Local("provider.user.notVolunteer"));
            }
        }
        if (userId is not null && await db.Providers.AnyAsync(p => p.UserId == userId, cancellationToken))
        {
            throw new ConflictException(HostTexts.Local("provider.user.taken"), "userId");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var offers = lines.ToDictionary(line => line, line => request.Skills is not null && request.Skills.TryGetValue(line, out var s) ? s : ((JsonElement?)null).OrEmptyObject());
        var provider = new Provider
        {
            Id = Ids.New(),
            Kind = ProviderKind.Volunteer,
            DisplayName = request.DisplayName!.Trim(),
            Gender = request.Gender,
            RegionCode = region.Code,
            RegionPath = region.Path,
            CoveredPathsJson = ProviderJson.Write(new[] { region.Path }),
            LinesJson = ProviderJson.Write(lines),
            OfferJson = ProviderJson.Write(offers),
            AvailabilityJson = ProviderJson.Write((request.Availability ?? []).Distinct().ToList()),
            Capacity = request.Capacity ?? lines.Min(line => modules.RequireLine(line, "lines").DefaultCapacity),
            OrganisationId = caller.Role == Role.Volunteer ? null : caller.OrganisationId,
            UserId = userId,
            VettingStatus = VettingStatus.None,
            CreatedByUserId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.Providers.Add(provider);
        await db.SaveChangesAsync(cancellationToken);
        return new ProviderCreated(provider.Id);
    }
}
