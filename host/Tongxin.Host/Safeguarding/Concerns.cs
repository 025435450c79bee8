using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Safeguarding;

/// <summary><c>Safeguarding:*</c> settings.</summary>
public sealed class SafeguardingOptions
{
    public const string Section = "Safeguarding";

    /// <summary>A concern not reported to the police within this time escalates (mandatory reporting is "at once").</summary>
    public TimeSpan PoliceReportDeadline { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan EscalationInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// <c>POST /api/concerns</c>: anyone in contact with the child raises a concern (强制报告). It reaches the town
/// supervisor and civil affairs at once, raises the child's risk to high, and can never be deleted.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.Volunteer, Role.SocialWorkOrg, Role.ProgrammeOwner)]
public sealed record RaiseConcern(string? ChildId, ConcernKind? Kind, string? Details) : IRequest<ConcernRaised>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.concern.raise";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record ConcernRaised(string Id, ConcernStage Stage);

/// <summary>
/// <c>GET /api/concerns?status=</c>: staff see the concerns of their region with details; whoever raised a
/// concern from outside the file's staff (volunteer, organisation) sees its status only.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.Volunteer, Role.SocialWorkOrg, Role.ProgrammeOwner)]
public sealed record ListConcerns(string? Status) : IRequest<IReadOnlyList<ConcernView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "concern.list";
    // The caller's region (staff), or the concerns the caller raised.
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => null;
}

[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.Volunteer, Role.SocialWorkOrg, Role.ProgrammeOwner)]
public sealed record GetConcern(string Id) : IRequest<ConcernView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "concern.read";
    string IAuditedRequest.AuditSubjectType => "concern";
    string? IAuditedRequest.AuditSubjectId => Id;
}

/// <summary><c>POST /api/concerns/{id}/steps</c>: the next step of the chain, with who and when (a police report needs its reference).</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record RecordConcernStep(ConcernStage? Stage, DateTime? At, string? Reference, string? Notes) : IRequest<ConcernView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ConcernId { get; init; } = "";

    string IAuditedRequest.AuditAction => "concern.step.record";
    string IAuditedRequest.AuditSubjectType => "concern";
    string? IAuditedRequest.AuditSubjectId => ConcernId;
}

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

internal sealed class RaiseConcernValidator : AbstractValidator<RaiseConcern>
{
    public RaiseConcernValidator()
    {
        RuleFor(r => r.ChildId).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Kind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Details).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(4000).WithMessage(_ => HostTexts.Local("field.tooLong", 4000));
    }
}

internal sealed class RecordConcernStepValidator : AbstractValidator<RecordConcernStep>
{
    public RecordConcernStepValidator(TimeProvider clock)
    {
        RuleFor(r => r.Stage).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(s => s != ConcernStage.Discovered).WithMessage(_ => HostTexts.Local("concern.stage.discovered"));
        RuleFor(r => r.At).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at!.Value.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        RuleFor(r => r.Reference).NotEmpty().When(r => r.Stage == ConcernStage.ReportedToPolice).WithMessage(_ => HostTexts.Local("concern.reference.required"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
        RuleFor(r => r.Notes).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(4000).WithMessage(_ => HostTexts.Local("field.tooLong", 4000));
    }
}

/// <summary>Who is "in contact with" a child: the file's staff by region, a provider by an active pairing, an organisation by a delivery.</summary>
internal static class ChildContact
{
    public static async Task<ChildFile?> FindForCallerAsync(TongxinDbContext db, string childId, Caller caller, CancellationToken cancellationToken)
    {
        var child = await db.Children.AsNoTracking().SingleOrDefaultAsync(c => c.Id == childId, cancellationToken);
        if (child is null)
        {
            return null;
        }
        if (caller.Role is Role.ChildDirector or Role.Supervisor or Role.CivilAffairs)
        {
            return caller.CanSee(child.RegionPath) ? child : null;
        }
        var mine = db.Providers.AsNoTracking().ActedForBy(caller).Select(p => p.Id);
        if (await db.Pairings.AnyAsync(p => p.ChildId == childId && p.Status == PairingStatus.Active && mine.Contains(p.ProviderId), cancellationToken))
        {
            return child;
        }
        if (caller.Role == Role.SocialWorkOrg && caller.OrganisationId is not null
            && await db.Deliveries.AnyAsync(d => d.ChildId == childId && db.Contracts.Any(c => c.Id == d.ContractId && c.OrganisationId == caller.OrganisationId), cancellationToken))
        {
            return child;
        }
        return null;
    }

    public static bool IsFileStaff(Caller caller) => caller.Role is Role.ChildDirector or Role.Supervisor or Role.CivilAffairs;
}

/// <summary>Escalates concerns not reported to the police in time, records it, and passes it on.</summary>
public sealed class ConcernEscalation(IDbContextFactory<TongxinDbContext> databases, IOptions<SafeguardingOptions> options, TimeProvider clock, IServiceScopeFactory scopes)
{
    public async Task<int> EscalateOverdueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now - options.Value.PoliceReportDeadline;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var overdue = await db.Concerns.Where(c => c.Stage == ConcernStage.Discovered && c.EscalatedAt == null && c.RaisedAt <= cutoff).ToListAsync(cancellationToken);
        foreach (var concern in overdue)
        {
            concern.EscalatedAt = now;
            concern.Version++;
            db.ConcernSteps.Add(new ConcernStep
            {
                Id = Ids.New(), ConcernId = concern.Id, Step = "escalated", At = now, Notes = "", RecordedAt = now,
            });
        }
        if (overdue.Count == 0)
        {
            return 0;
        }
        await db.SaveChangesAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var notifier = scope.ServiceProvider.GetRequiredService<IConcernNotifier>();
        foreach (var concern in overdue)
        {
            await notifier.NotifyAsync(await Concerns.NoticeAsync(db, concern, escalated: true, cancellationToken), cancellationToken);
        }
        return overdue.Count;
    }
}

internal static class Concerns
{
    public static async Task<ConcernNotice> NoticeAsync(TongxinDbContext db, Concern concern, bool escalated, CancellationToken cancellationToken)
    {
        var townPath = $"/{RegionPaths.County(concern.RegionPath)}/{RegionPaths.Town(concern.RegionPath)}/";
        var countyPath = $"/{RegionPaths.County(concern.RegionPath)}/";
        var recipients = await db.Users.AsNoTracking()
            .Where(u => u.Active && ((u.Role == Role.Supervisor && u.RegionPath == townPath) || (u.Role == Role.CivilAffairs && u.RegionPath == countyPath)))
            .Select(u => u.Id).ToListAsync(cancellationToken);
        return new ConcernNotice(concern.Id, concern.ChildId, concern.Kind.ToString(), RegionPaths.Town(concern.RegionPath), RegionPaths.County(concern.RegionPath), escalated, recipients);
    }

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

    public static async Task<Concern> LoadForCallerAsync(TongxinDbContext db, string id, Caller caller, bool track, CancellationToken cancellationToken)
    {
        var query = track ? db.Concerns : db.Concerns.AsNoTracking();
        var concern = await query.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        var visible = concern is not null && (ChildContact.IsFileStaff(caller) ? caller.CanSee(concern.RegionPath) : concern.RaisedByUserId == caller.UserId);
        return visible ? concern! : throw new NotFoundException(HostTexts.Local("notFound.concern"));
    }
}

internal sealed class RaiseConcernHandler(
    TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers, FieldCipher cipher, TimeProvider clock, IConcernNotifier notifier)
    : IRequestHandler<RaiseConcern, ConcernRaised>
{
    public async Task<ConcernRaised> Handle(RaiseConcern request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await ChildContact.FindForCallerAsync(db, request.ChildId!, caller, cancellationToken) ?? throw NotFoundException.Child();
        var now = clock.GetUtcNow().UtcDateTime;
        var concern = new Concern
        {
            Id = Ids.New(),
            ChildId = child.Id,
            RegionPath = child.RegionPath,
            Kind = request.Kind!.Value,
            Details = cipher.Seal(request.Details!.Trim()),
            Stage = ConcernStage.Discovered,
            RaisedByUserId = caller.UserId,
            RaisedByRole = caller.Role.Name(),
            RaisedAt = now,
            Version = 1,
        };
        db.Concerns.Add(concern);
        db.ConcernSteps.Add(new ConcernStep { Id = Ids.New(), ConcernId = concern.Id, Step = "discovered", At = now, ByUserId = caller.UserId, Notes = "", RecordedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        // A concern raises the risk at once; the history names the concern.
        await grains.GetGrain<IChildGrain>(child.Id).ChangeRiskAsync(RiskLevel.High, HostTexts.Get("risk.reason.concern").Zh, caller.UserId, concern.Id);
        await notifier.NotifyAsync(await Concerns.NoticeAsync(db, concern, escalated: false, cancellationToken), cancellationToken);
        return new ConcernRaised(concern.Id, concern.Stage);
    }
}

internal sealed class ListConcernsHandler(
    TongxinDbContext db, ICallerAccessor callers, FieldCipher cipher, ConcernEscalation escalation, IOptions<SafeguardingOptions> options)
    : IRequestHandler<ListConcerns, IReadOnlyList<ConcernView>>
{
    public async Task<IReadOnlyList<ConcernView>> Handle(ListConcerns request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        await escalation.EscalateOverdueAsync(cancellationToken);
        // Parsed before the query is built, so a bad value is a 400 naming the field.
        var stage = request.Status is null or "" or "open" or "escalated" ? (ConcernStage?)null : QueryValues.Enum<ConcernStage>(request.Status, "status");
        var query = db.Concerns.AsNoTracking();
        query = ChildContact.IsFileStaff(caller) ? query.Where(c => c.RegionPath.StartsWith(caller.RegionPath)) : query.Where(c => c.RaisedByUserId == caller.UserId);
        query = request.Status switch
        {
            null or "" => query,
            "open" => query.Where(c => c.Stage != ConcernStage.Assisted),
            "escalated" => query.Where(c => c.EscalatedAt != null),
            _ => query.Where(c => c.Stage == stage),
        };
        var concerns = await query.OrderByDescending(c => c.RaisedAt).Take(500).ToListAsync(cancellationToken);
        var views = new List<ConcernView>();
        foreach (var concern in concerns)
        {
            views.Add(await Concerns.ViewAsync(db, concern, caller, cipher, options.Value.PoliceReportDeadline, cancellationToken));
        }
        return views;
    }
}

internal sealed class GetConcernHandler(TongxinDbContext db, ICallerAccessor callers, FieldCipher cipher, ConcernEscalation escalation, IOptions<SafeguardingOptions> options)
    : IRequestHandler<GetConcern, ConcernView>
{
    public async Task<ConcernView> Handle(GetConcern request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        await escalation.EscalateOverdueAsync(cancellationToken);
        var concern = await Concerns.LoadForCallerAsync(db, request.Id, caller, track: false, cancellationToken);
        return await Concerns.ViewAsync(db, concern, caller, cipher, options.Value.PoliceReportDeadline, cancellationToken);
    }
}

internal sealed class RecordConcernStepHandler(TongxinDbContext db, ICallerAccessor callers, FieldCipher cipher, TimeProvider clock, IOptions<SafeguardingOptions> options)
    : IRequestHandler<RecordConcernStep, ConcernView>
{
    public async Task<ConcernView> Handle(RecordConcernStep request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var concern = await Concerns.LoadForCallerAsync(db, request.ConcernId, caller, track: true, cancellationToken);
        var stage = request.Stage!.Value;
        // The chain is walked in order: each step is the next one.
        if (stage != concern.Stage + 1)
        {
            throw new ConflictException(HostTexts.Local("concern.stage.order", Kebab(concern.Stage + 1 <= ConcernStage.Assisted ? concern.Stage + 1 : concern.Stage)), "stage");
        }
        var at = request.At!.Value.ToUniversalTime();
        if (at < concern.RaisedAt.AddMinutes(-5))
        {
            throw RequestValidationException.ForField("at", HostTexts.Local("concern.at.beforeRaised"));
        }
        concern.Stage = stage;
        if (stage == ConcernStage.ReportedToPolice)
        {
            concern.ReportedToPoliceAt = at;
            concern.PoliceReference = request.Reference!.Trim();
        }
        concern.Version++;
        db.ConcernSteps.Add(new ConcernStep
        {
            Id = Ids.New(), ConcernId = concern.Id, Step = Kebab(stage), At = at, ByUserId = caller.UserId,
            Reference = request.Reference?.Trim(), Notes = cipher.Seal(request.Notes!.Trim()), RecordedAt = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return await Concerns.ViewAsync(db, concern, caller, cipher, options.Value.PoliceReportDeadline, cancellationToken);
    }

    private static string Kebab(ConcernStage stage) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(stage.ToString());
}

/// <summary>Escalates on a timer too, so a concern climbs even when nobody opens the list.</summary>
internal sealed class ConcernEscalationWorker(ConcernEscalation escalation, IOptions<SafeguardingOptions> options, TimeProvider clock, ILogger<ConcernEscalationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EscalationInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await escalation.EscalateOverdueAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Escalating concerns failed; will try again.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

internal sealed class ConcernEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var concerns = app.MapGroup("/api/concerns").WithTags("Safeguarding").RequireAuthorization();
        concerns.MapPost("", async (RaiseConcern request, IMediator mediator, CancellationToken ct) =>
            {
                var raised = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/concerns/{raised.Id}", raised);
            })
            .WithSummary("Raise a concern (强制报告): reaches the town supervisor and civil affairs at once")
            .ProducesProblem(400).ProducesProblem(404);
        concerns.MapGet("", async (string? status, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListConcerns(status), ct)))
            .WithSummary("Concerns in the caller's region (staff), or the status of those the caller raised")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(400);
        concerns.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetConcern(id), ct)))
            .WithSummary("A concern and its chain").ProducesProblem(404);
        concerns.MapPost("/{id}/steps", async (string id, RecordConcernStep request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ConcernId = id }, ct)))
            .WithSummary("Record the next step: reported-to-police (with reference), assessed, referred, intervened, assisted")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
    }
}
