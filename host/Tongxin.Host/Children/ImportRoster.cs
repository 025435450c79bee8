using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Imports;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>
/// <c>POST /api/children/import?dryRun=</c> (a .xlsx or CSV body): the county's roster of children (civil affairs for
/// its county, a supervisor for its town). One child, one file: a row whose national ID number (kept only as a keyed
/// hash), or else whose name, birth date and village, match a file updates that file instead of opening a second, so
/// the same sheet twice changes nothing the second time. A dry run says per row what would happen (new, same, changed
/// and which columns, or error with the column and reason) and writes nothing; the import writes every row or none
/// (422 naming the rows). The body is read only after the role check.
/// </summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor)]
public sealed record ImportRoster(Stream File, string? ContentType, bool DryRun) : IRequest<RosterImport>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => DryRun ? "child.import.check" : "child.import";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => null;
}

public sealed record RosterImport(bool DryRun, int New, int Same, int Changed, int Errors, IReadOnlyList<RosterImportRow> Rows);

/// <param name="Status"><c>new</c>, <c>same</c> (the file already says all of it), <c>changed</c> or <c>error</c>.</param>
/// <param name="Changes">For <c>changed</c>: the columns whose values differ from the file's.</param>
/// <param name="ChildId">The file the row is: the matched one, or for a new row the one the import opened (none in a dry run).</param>
public sealed record RosterImportRow(
    int Row, string? Name, DateOnly? BirthDate, string? VillageCode, string? VillageName, string Status,
    IReadOnlyList<string>? Changes, IReadOnlyDictionary<string, string[]>? Errors, string? ChildId);

internal sealed class ImportRosterHandler(
    TongxinDbContext db, ICallerAccessor callers, IValidator<CreateChild> fileRules, NationalIds nationalIds, IGrainFactory grains,
    TimeProvider clock, ILogger<ImportRosterHandler> logger) : IRequestHandler<ImportRoster, RosterImport>
{
    // The file's rules (CreateChild's validator) name their fields; a row names its columns.
    private static readonly IReadOnlyDictionary<string, string> ColumnOfField = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(CreateChild.GivenName)] = RosterColumns.Name, [nameof(CreateChild.FamilyName)] = RosterColumns.Name,
        [nameof(CreateChild.Gender)] = RosterColumns.Gender, [nameof(CreateChild.BirthDate)] = RosterColumns.BirthDate,
        [nameof(CreateChild.VillageCode)] = RosterColumns.Village, [nameof(CreateChild.Category)] = RosterColumns.Category,
        [nameof(CreateChild.GuardianSituation)] = RosterColumns.Situation, [nameof(CreateChild.RiskLevel)] = RosterColumns.Risk,
    };

    public async Task<RosterImport> Handle(ImportRoster request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        ImportRows.EnsureSheetType(request.ContentType);
        var sheet = SheetReader.Read(await SheetReader.ReadBodyAsync(request.File, cancellationToken));
        var columns = RosterColumns.Sheet.Map(sheet.Headers);

        var villages = await db.Regions.AsNoTracking()
            .Where(r => r.Path.StartsWith(caller.RegionPath) && r.Kind == RegionKind.Village)
            .ToListAsync(cancellationToken);
        var lines = sheet.Rows.Select(row => Read(row, columns, villages)).ToList();
        await MatchAsync(lines, caller, cancellationToken);

        if (!request.DryRun)
        {
            ImportRows.RefuseIfAnyFailed(lines.Select(l => (l.Number, (IReadOnlyDictionary<string, string[]>?)l.Errors)));
            await WriteAsync(lines, caller, cancellationToken);
        }
        var rows = lines.Select(l => new RosterImportRow(
            l.Number, l.Name, l.File.BirthDate, l.Village?.Code, l.Village?.Name, l.Status,
            l.Status == "changed" ? l.Changes : null, l.Errors.Count > 0 ? l.Errors : null, l.ChildId)).ToList();
        return new RosterImport(request.DryRun, rows.Count(r => r.Status == "new"), rows.Count(r => r.Status == "same"),
            rows.Count(r => r.Status == "changed"), rows.Count(r => r.Status == "error"), rows);
    }

    /// <summary>One row's cells as a file's fields, checked by the same rules as a file opened by hand.</summary>
    private RosterLine Read(SheetRow row, SheetColumnMap columns, List<Region> villages)
    {
        var line = new RosterLine(row.Number);
        var errors = line.Errors;
        string? familyName = null, givenName = null;
        line.Name = columns.Cell(row, RosterColumns.Name);
        if (line.Name is not null && !RosterColumns.TrySplitName(line.Name, out familyName, out givenName))
        {
            errors[RosterColumns.Name] = [HostTexts.Local("import.roster.name")];
        }
        var gender = Pick(row, columns, RosterColumns.Gender, RosterColumns.Genders, errors);
        var category = Pick(row, columns, RosterColumns.Category, RosterColumns.Categories, errors);
        var risk = Pick(row, columns, RosterColumns.Risk, RosterColumns.Risks, errors);
        DateOnly? birthDate = null;
        if (columns.Cell(row, RosterColumns.BirthDate) is { } dateText)
        {
            if (RosterColumns.TryReadDate(dateText, out var date)) birthDate = date;
            else errors[RosterColumns.BirthDate] = [HostTexts.Local("import.roster.date")];
        }
        if (columns.Cell(row, RosterColumns.Village) is { } villageText)
        {
            line.Village = ImportRows.FindRegion(villages, villageText, out var ambiguous);
            if (line.Village is null)
            {
                errors[RosterColumns.Village] = [HostTexts.Local(ambiguous ? "import.account.regionAmbiguous" : "import.roster.villageUnknown", villageText)];
            }
        }
        if (columns.Cell(row, RosterColumns.NationalId) is { } idText)
        {
            if (!NationalIds.TryRead(idText, out var number, out var idBirthDate, out var male))
            {
                errors[RosterColumns.NationalId] = [HostTexts.Local("import.roster.nationalId")];
            }
            else if (birthDate is { } written && written != idBirthDate)
            {
                errors[RosterColumns.NationalId] = [HostTexts.Local("import.roster.nationalIdBirthDate", idBirthDate.ToString("yyyy-MM-dd"))];
            }
            else if (gender is { } g && (g == Gender.Male) != male)
            {
                errors[RosterColumns.NationalId] = [HostTexts.Local("import.roster.nationalIdGender")];
            }
            else
            {
                line.IdHash = nationalIds.Hash(number);
            }
        }
        line.File = new CreateChild(givenName, familyName, gender, birthDate, line.Village?.Code, category,
            columns.Cell(row, RosterColumns.Situation), risk, null);
        foreach (var failure in fileRules.Validate(line.File).Errors)
        {
            // A cell that could not be read is named for that alone; "required" for it would only repeat it.
            var column = ColumnOfField.GetValueOrDefault(failure.PropertyName, RosterColumns.Name);
            if (!errors.TryGetValue(column, out var messages))
            {
                errors[column] = [failure.ErrorMessage];
            }
            else if (!messages.Contains(failure.ErrorMessage) && failure.PropertyName is not (nameof(CreateChild.GivenName) or nameof(CreateChild.FamilyName)))
            {
                errors[column] = [.. messages, failure.ErrorMessage];
            }
        }
        return line;
    }

    private static T? Pick<T>(SheetRow row, SheetColumnMap columns, string column, IReadOnlyDictionary<string, T> values, Dictionary<string, string[]> errors)
        where T : struct
    {
        var text = columns.Cell(row, column);
        if (text is null)
        {
            return null; // the file's rules say it is required
        }
        if (values.TryGetValue(text, out var value))
        {
            return value;
        }
        errors[column] = [HostTexts.Local("import.roster.value", text, RosterColumns.Offered(values))];
        return null;
    }

    /// <summary>
    /// Finds each row's file: by the national ID number's hash first, then by name, birth date and village, among the
    /// files of the importer's area. A number whose file lies outside the area, or the same child twice in the sheet,
    /// is an error on the row.
    /// </summary>
    private async Task MatchAsync(List<RosterLine> lines, Caller caller, CancellationToken cancellationToken)
    {
        var existing = await db.Children.AsNoTracking()
            .Where(c => c.RegionPath.StartsWith(caller.RegionPath))
            .Select(c => new ExistingFile(c.Id, c.FamilyName, c.GivenName, c.Gender, c.BirthDate, c.VillageCode, c.RegionPath, c.Category,
                c.GuardianSituation, c.RiskLevel, c.NationalIdHash, c.ClosedAt, c.Version))
            .ToListAsync(cancellationToken);
        var byHash = existing.Where(f => f.NationalIdHash is not null).ToDictionary(f => f.NationalIdHash!, StringComparer.Ordinal);
        var byKey = existing.GroupBy(f => Key(f.FamilyName, f.GivenName, f.BirthDate, f.VillageCode), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var hashes = lines.Where(l => l.IdHash is not null && !byHash.ContainsKey(l.IdHash)).Select(l => l.IdHash!).Distinct().ToList();
        var elsewhere = hashes.Count == 0 ? [] : (await db.Children.AsNoTracking()
                .Where(c => hashes.Contains(c.NationalIdHash!) && !c.RegionPath.StartsWith(caller.RegionPath))
                .Select(c => c.NationalIdHash!).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);

        // Each file, key and number is claimed by the first row that is it.
        var claimed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.Errors.Count == 0))
        {
            var key = Key(line.File.FamilyName!, line.File.GivenName!, line.File.BirthDate!.Value, line.Village!.Code);
            ExistingFile? match = null;
            if (line.IdHash is { } hash)
            {
                if (byHash.TryGetValue(hash, out var byNumber)) match = byNumber;
                else if (elsewhere.Contains(hash)) line.Errors[RosterColumns.NationalId] = [HostTexts.Local("import.roster.nationalIdElsewhere")];
            }
            if (match is null && line.Errors.Count == 0 && byKey.TryGetValue(key, out var byName))
            {
                if (line.IdHash is not null && byName.NationalIdHash is not null) line.Errors[RosterColumns.NationalId] = [HostTexts.Local("import.roster.nationalIdOther")];
                else match = byName;
            }
            if (line.Errors.Count > 0)
            {
                continue;
            }
            var claims = new[] { match?.Id, key, line.IdHash }.Where(c => c is not null).Select(c => c!).ToList();
            if (claims.FirstOrDefault(claimed.ContainsKey) is { } taken)
            {
                line.Errors[RosterColumns.Name] = [HostTexts.Local("import.roster.twice", claimed[taken])];
                continue;
            }
            claims.ForEach(c => claimed[c] = line.Number);
            line.Match = match;
            line.ChildId = match?.Id;
            line.Changes = match is null ? [] : Differences(line, match);
            line.Status = match is null ? "new" : line.Changes.Count == 0 ? "same" : "changed";
            if (line.Status == "changed" && match!.ClosedAt is not null)
            {
                line.Errors[RosterColumns.Name] = [HostTexts.Local("import.roster.closed")];
            }
        }

        // A file moves to another village only without open needs (asked for in the old village), as a move by hand.
        var moving = lines.Where(l => l.Errors.Count == 0 && l.Changes.Contains(RosterColumns.Village)).Select(l => l.ChildId!).ToList();
        if (moving.Count > 0)
        {
            var openNeeds = await db.Needs.AsNoTracking()
                .Where(n => moving.Contains(n.ChildId) && (n.Status == NeedStatus.Open || n.Status == NeedStatus.Offered))
                .GroupBy(n => n.ChildId).Select(g => new { ChildId = g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.ChildId, g => g.Count, cancellationToken);
            foreach (var line in lines.Where(l => l.ChildId is not null && openNeeds.ContainsKey(l.ChildId) && l.Changes.Contains(RosterColumns.Village)))
            {
                line.Errors[RosterColumns.Village] = [HostTexts.Local("child.move.openNeeds", openNeeds[line.ChildId!])];
            }
        }
        foreach (var line in lines.Where(l => l.Errors.Count > 0))
        {
            line.Status = "error";
            line.ChildId = null;
        }
    }

    private static string Key(string familyName, string givenName, DateOnly birthDate, string villageCode) =>
        $"{familyName}{givenName}|{birthDate:yyyy-MM-dd}|{villageCode}";

    private static List<string> Differences(RosterLine line, ExistingFile file)
    {
        var row = line.File;
        var changes = new List<string>();
        if (row.FamilyName != file.FamilyName || row.GivenName != file.GivenName) changes.Add(RosterColumns.Name);
        if (row.Gender != file.Gender) changes.Add(RosterColumns.Gender);
        if (row.BirthDate != file.BirthDate) changes.Add(RosterColumns.BirthDate);
        if (row.VillageCode != file.VillageCode) changes.Add(RosterColumns.Village);
        if (row.Category != file.Category) changes.Add(RosterColumns.Category);
        if (row.GuardianSituation!.Trim() != file.GuardianSituation) changes.Add(RosterColumns.Situation);
        if (row.RiskLevel != file.RiskLevel) changes.Add(RosterColumns.Risk);
        if (line.IdHash is not null && file.NationalIdHash is null) changes.Add(RosterColumns.NationalId);
        return changes;
    }

    /// <summary>
    /// Every new and changed file in one transaction. A changed file is written with the version it was read at, so a
    /// change made meanwhile (by its director, through its grain) makes the whole import 409, never lost. After the
    /// commit each changed file's grain reloads: it answers reads from memory (ADR 0017).
    /// </summary>
    private async Task WriteAsync(List<RosterLine> lines, Caller caller, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var line in lines.Where(l => l.Status == "new"))
        {
            var file = new ChildFile
            {
                Id = Ids.New(), GivenName = "", FamilyName = "", Gender = default, BirthDate = default, VillageCode = "", RegionPath = "",
                Category = default, GuardianSituation = "", RiskLevel = default, CreatedByUserId = caller.UserId, CreatedAt = now, UpdatedAt = now, Version = 1,
            };
            line.File.ApplyTo(file, line.Village!.Path);
            file.NationalIdHash = line.IdHash;
            db.Children.Add(file);
            line.ChildId = file.Id;
        }
        var changed = lines.Where(l => l.Status == "changed").ToList();
        var changedIds = changed.Select(l => l.ChildId!).ToList();
        var tracked = changedIds.Count == 0 ? [] : await db.Children.Where(c => changedIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        foreach (var line in changed)
        {
            var file = tracked[line.ChildId!];
            var before = line.Match!;
            db.Entry(file).Property(f => f.Version).OriginalValue = before.Version;
            var priorityGroups = file.PriorityGroupsJson;
            var consent = (file.ConsentBy, file.ConsentRelation, file.ConsentRecordedAt, file.ConsentPurposesJson);
            line.File.ApplyTo(file, line.Village!.Path);
            // The roster says nothing of priority groups or consent: those stay as the director recorded them.
            file.PriorityGroupsJson = priorityGroups;
            (file.ConsentBy, file.ConsentRelation, file.ConsentRecordedAt, file.ConsentPurposesJson) = consent;
            file.NationalIdHash ??= line.IdHash;
            file.Version = before.Version + 1;
            file.UpdatedAt = now;
            if (file.RegionPath != before.RegionPath)
            {
                db.ChildMoves.Add(new ChildMove { Id = Ids.New(), ChildId = file.Id, FromPath = before.RegionPath, ToPath = file.RegionPath, At = now, ByUserId = caller.UserId, Reason = HostTexts.Local("import.roster.reason", line.Number) });
            }
            if (file.RiskLevel != before.RiskLevel)
            {
                // The risk level changes only with a reason, and the change is kept (000 §3.1): here, the county's roster.
                db.RiskChanges.Add(new RiskChange { Id = Ids.New(), ChildId = file.Id, From = before.RiskLevel, To = file.RiskLevel, Reason = HostTexts.Local("import.roster.reason", line.Number), ByUserId = caller.UserId, At = now });
            }
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (StaleWrites.IsStale(e))
        {
            throw new ConflictException(HostTexts.Local("import.roster.changedMeanwhile"));
        }
        await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (line, _) =>
        {
            try
            {
                await grains.GetGrain<IChildGrain>(line.ChildId!).ReloadAsync(line.Match!.Version + 1);
            }
            catch (Exception e)
            {
                // Committed all the same. The grain still answers the old file until its next write fails on the
                // version and reloads, or it is collected (ADR 0021).
                logger.LogWarning(e, "Child {ChildId}: its grain did not reload after the roster import.", line.ChildId);
            }
        });
    }

    private sealed record ExistingFile(
        string Id, string FamilyName, string GivenName, Gender Gender, DateOnly BirthDate, string VillageCode, string RegionPath,
        ChildCategory Category, string GuardianSituation, RiskLevel RiskLevel, string? NationalIdHash, DateTime? ClosedAt, int Version);

    /// <summary>One row as it is checked: its fields, its errors by column, and the file it is.</summary>
    private sealed class RosterLine(int number)
    {
        public int Number { get; } = number;
        public string? Name { get; set; }
        public Region? Village { get; set; }
        public string? IdHash { get; set; }
        public CreateChild File { get; set; } = null!;
        public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);
        public ExistingFile? Match { get; set; }
        public List<string> Changes { get; set; } = [];
        public string Status { get; set; } = "error";
        public string? ChildId { get; set; }
    }
}

/// <summary>
/// <c>GET /api/children/import/template?format=csv|xlsx</c>: the roster's header row and an invented example row, so a
/// county fills in what the import reads.
/// </summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor)]
[NotAudited("A fixed header row and an invented example: no personal data.")]
public sealed record GetRosterTemplate(string? Format) : IRequest<SheetFile>;

internal sealed class GetRosterTemplateHandler : IRequestHandler<GetRosterTemplate, SheetFile>
{
    private static readonly string[] Example = ["李小花", "女", "2015-03-08", "平安村", "留守儿童", "祖父母隔代监护", "低", ""];

    public Task<SheetFile> Handle(GetRosterTemplate request, CancellationToken cancellationToken) =>
        Task.FromResult(SheetTemplates.Build("roster-template", request.Format, RosterColumns.Sheet.Accepted, Example));
}

internal sealed class ImportRosterEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/children/import/template", async (string? format, IMediator mediator, CancellationToken ct) =>
            {
                var file = await mediator.Send(new GetRosterTemplate(format), ct);
                return Results.File(file.Content, file.ContentType, file.FileName);
            })
            .RequireAuthorization()
            .WithTags("Children")
            .WithSummary("The roster's template: its headers and an example row (format=csv, the default, or xlsx)")
            .ProducesProblem(400).ProducesProblem(403);
        app.MapPost("/api/children/import", async (HttpRequest http, bool? dryRun, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ImportRoster(http.Body, http.ContentType, dryRun ?? true), ct)))
            .RequireAuthorization()
            // No Accepts(...) metadata: routing would answer 415 before the role check. The handler checks the type after it.
            .WithDescription("The body is the file itself: Content-Type text/csv (UTF-8 or GB18030) or " + SheetReader.XlsxContentType + ".")
            .WithTags("Children")
            .WithSummary("Import the county's children from a roster (姓名, 性别, 出生日期, 村/社区, 类别, 监护情况, 风险等级[, 身份证号]); dryRun=true (the default) writes nothing")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(415).ProducesProblem(422);
    }
}
