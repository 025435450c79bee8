using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Imports;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Reports;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Comparisons;

/// <summary>
/// <c>POST /api/comparisons?source=education|police&amp;quarter=2026Q4</c> (a .xlsx or CSV body): civil affairs compares
/// the county's open files with education's or the police's roster for the quarter (003 §10). Every row is checked
/// first: a bad row answers 400 naming the row and column, and nothing is written. Then the rows are matched to the
/// files (<see cref="RosterComparer"/>) and each finding becomes an item in its village, for the village's director or
/// the town's supervisor to resolve. The roster is not kept; a national ID number only as far as matching needs its
/// keyed hash, and not even that is stored.
/// </summary>
[AllowedRoles(Role.CivilAffairs)]
public sealed record UploadComparison(Stream File, string? ContentType, string? Source, string? Quarter) : IRequest<ComparisonSummary>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "comparison.upload";
    string IAuditedRequest.AuditSubjectType => "comparison";
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class UploadComparisonValidator : AbstractValidator<UploadComparison>
{
    public UploadComparisonValidator()
    {
        RuleFor(r => r.Source).Must(s => ComparisonNames.TryReadSource(s, out _))
            .WithMessage(_ => HostTexts.Local("comparison.source"));
    }
}

internal sealed class UploadComparisonHandler(TongxinDbContext db, ICallerAccessor callers, NationalIds nationalIds, TimeProvider clock)
    : IRequestHandler<UploadComparison, ComparisonSummary>
{
    public async Task<ComparisonSummary> Handle(UploadComparison request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        ComparisonNames.TryReadSource(request.Source, out var source);
        var now = clock.GetUtcNow().UtcDateTime;
        var period = ReportPeriod.Quarter(request.Quarter, now);
        ImportRows.EnsureSheetType(request.ContentType);
        var sheet = SheetReader.Read(await SheetReader.ReadBodyAsync(request.File, cancellationToken));
        var columns = ComparisonColumns.For(source).Map(sheet.Headers);

        var villages = await db.Regions.AsNoTracking()
            .Where(r => r.Path.StartsWith(caller.RegionPath) && r.Kind == RegionKind.Village)
            .ToListAsync(cancellationToken);
        var rows = ReadRows(sheet, columns, source, villages);

        // Files open at the quarter's end (or now, for the running quarter), wherever they are now in the county.
        var asOf = period.AsOf;
        var files = await db.Children.AsNoTracking()
            .Where(c => c.RegionPath.StartsWith(caller.RegionPath) && c.CreatedAt <= asOf && (c.ClosedAt == null || c.ClosedAt > asOf))
            .Select(c => new ComparedFile(c.Id, c.FamilyName, c.GivenName, c.Gender, c.BirthDate, c.VillageCode, c.RegionPath, c.NationalIdHash))
            .ToListAsync(cancellationToken);
        // The quarter's last day on the China calendar (its end is exclusive), or today for the running quarter.
        var asOfDay = DateOnly.FromDateTime(asOf.AddHours(8).AddTicks(-1));
        var findings = RosterComparer.Compare(source, rows, files, asOfDay);

        var countyCode = RegionPaths.County(caller.RegionPath);
        var comparison = await db.RosterComparisons
            .SingleOrDefaultAsync(c => c.CountyCode == countyCode && c.Source == source && c.Quarter == period.Name, cancellationToken);
        if (comparison is not null)
        {
            // A roster sent again (the department corrected it) replaces the comparison, until someone has resolved an item of it.
            var items = await db.RosterComparisonItems.Where(i => i.ComparisonId == comparison.Id).ToListAsync(cancellationToken);
            if (items.Any(i => i.Resolution is not null))
            {
                throw new ConflictException(HostTexts.Local("comparison.alreadyWorked", period.Name), "quarter");
            }
            db.RosterComparisonItems.RemoveRange(items);
            comparison.UploadedAt = now;
            comparison.UploadedByUserId = caller.UserId;
            comparison.Version++;
        }
        else
        {
            comparison = new RosterComparison
            {
                Id = Ids.New(), CountyCode = countyCode, RegionPath = caller.RegionPath, Source = source, Quarter = period.Name,
                UploadedByUserId = caller.UserId, UploadedAt = now, Version = 1,
            };
            db.RosterComparisons.Add(comparison);
        }
        comparison.Rows = rows.Count;
        comparison.FilesCompared = files.Count(f => RosterComparer.Expected(source, f, asOfDay));
        comparison.OpenItems = findings.Count;
        comparison.CompletedAt = findings.Count == 0 ? now : null;
        foreach (var finding in findings)
        {
            db.RosterComparisonItems.Add(new RosterComparisonItem
            {
                Id = Ids.New(), ComparisonId = comparison.Id, Kind = finding.Kind, VillageCode = finding.VillageCode, RegionPath = finding.RegionPath,
                Row = finding.Row?.Number, RosterName = finding.Row?.Name, RosterBirthDate = finding.Row?.BirthDate,
                RosterVillageCode = finding.Row?.VillageCode, RosterSchool = finding.Row?.School, RosterGrade = finding.Row?.Grade,
                ChildId = finding.File?.Id,
                DifferencesJson = finding.Differences.Count == 0 ? null : JsonSerializer.Serialize(finding.Differences, ComparisonNames.Json),
            });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (StaleWrites.IsStale(e))
        {
            // Another upload of the same roster and quarter, or a resolution, got there first.
            throw new ConflictException(HostTexts.Local("comparison.changedMeanwhile"), "quarter");
        }
        return ComparisonSummary.From(comparison, findings.Select(f => f.Kind).ToList());
    }

    /// <summary>Every row checked before anything is compared: a bad one answers 400 naming its row and column (<c>row N.&lt;column&gt;</c>).</summary>
    private List<RosterRow> ReadRows(Sheet sheet, SheetColumnMap columns, ComparisonSource source, List<Region> villages)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var rows = new List<RosterRow>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var villageColumn = ComparisonColumns.VillageOf(source);
        foreach (var row in sheet.Rows)
        {
            var before = errors.Count;
            void Error(string column, string message) => errors[$"row {row.Number}.{column}"] = [message];

            var name = columns.Cell(row, ComparisonColumns.Name);
            string? fullName = null;
            if (name is null) Error(ComparisonColumns.Name, HostTexts.Local("field.required.generic"));
            else if (name.Length > 50) Error(ComparisonColumns.Name, HostTexts.Local("field.tooLong", 50));
            else if (!RosterColumns.TrySplitName(name, out var family, out var given)) Error(ComparisonColumns.Name, HostTexts.Local("import.roster.name"));
            else fullName = family + given;

            DateOnly? birthDate = null;
            var dateText = columns.Cell(row, ComparisonColumns.BirthDate);
            if (dateText is null) Error(ComparisonColumns.BirthDate, HostTexts.Local("field.required.generic"));
            else if (!RosterColumns.TryReadDate(dateText, out var date) || date.Year < 1990) Error(ComparisonColumns.BirthDate, HostTexts.Local("import.roster.date"));
            else birthDate = date;

            Region? village = null;
            var villageText = columns.Cell(row, villageColumn);
            if (villageText is null) Error(villageColumn, HostTexts.Local("field.required.generic"));
            else if ((village = ImportRows.FindRegion(villages, villageText, out var ambiguous)) is null)
            {
                Error(villageColumn, HostTexts.Local(ambiguous ? "import.account.regionAmbiguous" : "import.roster.villageUnknown", villageText));
            }

            string? school = null, grade = null;
            if (source == ComparisonSource.Education)
            {
                school = columns.Cell(row, ComparisonColumns.School);
                grade = columns.Cell(row, ComparisonColumns.Grade);
                if (school is null) Error(ComparisonColumns.School, HostTexts.Local("field.required.generic"));
                else if (school.Length > 100) Error(ComparisonColumns.School, HostTexts.Local("field.tooLong", 100));
                if (grade is not null && grade.Length > 20) Error(ComparisonColumns.Grade, HostTexts.Local("field.tooLong", 20));
            }

            string? idHash = null;
            bool? idMale = null;
            if (columns.Cell(row, ComparisonColumns.NationalId) is { } idText)
            {
                if (!NationalIds.TryRead(idText, out var number, out var idBirthDate, out var male))
                {
                    Error(ComparisonColumns.NationalId, HostTexts.Local("import.roster.nationalId"));
                }
                else
                {
                    // Read only to match: the hash is compared with the files' and then dropped with the row.
                    idHash = nationalIds.Hash(number);
                    idMale = male;
                    if (birthDate is { } written && written != idBirthDate)
                    {
                        Error(ComparisonColumns.NationalId, HostTexts.Local("import.roster.nationalIdBirthDate", idBirthDate.ToString("yyyy-MM-dd")));
                    }
                }
            }

            if (errors.Count > before)
            {
                continue;
            }
            // The same child twice in the roster is a mistake in it: named on the later row, as the roster import does.
            var key = idHash ?? $"{fullName}|{birthDate:yyyy-MM-dd}|{village!.Code}";
            if (seen.TryGetValue(key, out var first))
            {
                Error(ComparisonColumns.Name, HostTexts.Local("import.roster.twice", first));
                continue;
            }
            seen[key] = row.Number;
            rows.Add(new RosterRow(row.Number, name!, fullName!, birthDate!.Value, village!.Code, village.Path, idHash, idMale, school, grade));
        }
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
        return rows;
    }
}

/// <summary>
/// <c>GET /api/comparisons/template?source=education|police&amp;format=csv|xlsx</c>: the roster's header row and an invented
/// example row, to hand to the department.
/// </summary>
[AllowedRoles(Role.CivilAffairs)]
[NotAudited("A fixed header row and an invented example: no personal data.")]
public sealed record GetComparisonTemplate(string? Source, string? Format) : IRequest<SheetFile>;

internal sealed class GetComparisonTemplateValidator : AbstractValidator<GetComparisonTemplate>
{
    public GetComparisonTemplateValidator()
    {
        RuleFor(r => r.Source).Must(s => ComparisonNames.TryReadSource(s, out _)).WithMessage(_ => HostTexts.Local("comparison.source"));
    }
}

internal sealed class GetComparisonTemplateHandler : IRequestHandler<GetComparisonTemplate, SheetFile>
{
    public Task<SheetFile> Handle(GetComparisonTemplate request, CancellationToken cancellationToken)
    {
        ComparisonNames.TryReadSource(request.Source, out var source);
        var name = $"comparison-{ComparisonNames.Of(source)}-template";
        return Task.FromResult(SheetTemplates.Build(name, request.Format, ComparisonColumns.For(source).Accepted, ComparisonColumns.Example(source)));
    }
}
