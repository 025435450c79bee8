using System.Text.RegularExpressions;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Imports;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Users;

/// <summary>
/// <c>POST /api/users/import?dryRun=</c> (a .xlsx or CSV body): the county's child directors and supervisors from its
/// staff list. Each row is checked; a dry run says per row what would happen and writes nothing; the import writes
/// every new account or none (422 naming the rows), each with a one-time password shown once in the answer and changed
/// at the first sign-in. An account signs in with its mobile number; a number that already has an account is left as
/// it is, so importing the same list twice changes nothing the second time. The body is read only after the role check.
/// </summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
public sealed record ImportAccounts(Stream File, string? ContentType, bool DryRun) : IRequest<AccountImport>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => DryRun ? "user.import.check" : "user.import";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => null;
}

public sealed record AccountImport(bool DryRun, int New, int Existing, int Errors, IReadOnlyList<AccountImportRow> Rows);

/// <param name="Status"><c>new</c>, <c>exists</c> (an account with this mobile number is already there) or <c>error</c>.</param>
/// <param name="TemporaryPassword">For a new account of a real import only: shown this once.</param>
public sealed record AccountImportRow(
    int Row, string? Name, string? Phone, string? RegionCode, string? RegionName, Role? Role, string Status,
    IReadOnlyDictionary<string, string[]>? Errors, string? UserName, string? TemporaryPassword);

/// <summary>The accepted headers of the staff list (docs/imports.md), each with the names a county's sheet gives it.</summary>
internal static class AccountColumns
{
    public const string Name = "姓名";
    public const string Phone = "手机号";
    public const string Region = "村/社区或乡镇";
    public const string RoleHeader = "角色";

    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["姓名"] = Name, ["名字"] = Name,
        ["手机号"] = Phone, ["手机"] = Phone, ["手机号码"] = Phone, ["联系电话"] = Phone,
        ["村/社区或乡镇"] = Region, ["村/社区"] = Region, ["村（社区）"] = Region, ["乡镇"] = Region, ["乡镇/街道"] = Region, ["地区"] = Region, ["地区代码"] = Region,
        ["角色"] = RoleHeader, ["岗位"] = RoleHeader,
    };

    public static readonly SheetColumns Sheet = new(Aliases, [Name, Phone, Region]);

    public static readonly IReadOnlyDictionary<string, Role> Roles = new Dictionary<string, Role>(StringComparer.Ordinal)
    {
        ["儿童主任"] = Role.ChildDirector, ["child-director"] = Role.ChildDirector,
        ["儿童督导员"] = Role.Supervisor, ["督导员"] = Role.Supervisor, ["supervisor"] = Role.Supervisor,
    };
}

internal sealed partial class ImportAccountsHandler(TongxinDbContext db, ICallerAccessor callers, IPasswordHasher<UserAccount> hasher, TimeProvider clock)
    : IRequestHandler<ImportAccounts, AccountImport>
{
    public async Task<AccountImport> Handle(ImportAccounts request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        ImportRows.EnsureSheetType(request.ContentType);
        var sheet = SheetReader.Read(await SheetReader.ReadBodyAsync(request.File, cancellationToken));
        var columns = AccountColumns.Sheet.Map(sheet.Headers);

        var regions = await db.Regions.AsNoTracking()
            .Where(r => r.Path.StartsWith(caller.RegionPath) && r.Kind != RegionKind.County)
            .ToListAsync(cancellationToken);
        var phones = sheet.Rows.Select(r => columns.Cell(r, AccountColumns.Phone)).Where(p => p is not null).Distinct().ToList();
        var taken = (await db.Users.AsNoTracking().Where(u => phones.Contains(u.UserName)).Select(u => u.UserName).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<AccountImportRow>();
        var toCreate = new List<(AccountImportRow Row, UserAccount User, string Password)>();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var sheetRow in sheet.Rows)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var name = columns.Cell(sheetRow, AccountColumns.Name);
            var phone = columns.Cell(sheetRow, AccountColumns.Phone);
            var regionText = columns.Cell(sheetRow, AccountColumns.Region);
            var roleText = columns.Cell(sheetRow, AccountColumns.RoleHeader);

            if (name is null) errors[AccountColumns.Name] = [HostTexts.Local("field.required.generic")];
            else if (name.Length > 50) errors[AccountColumns.Name] = [HostTexts.Local("field.tooLong", 50)];
            if (phone is null) errors[AccountColumns.Phone] = [HostTexts.Local("field.required.generic")];
            else if (!MobileNumber().IsMatch(phone)) errors[AccountColumns.Phone] = [HostTexts.Local("import.account.phone")];
            else if (!seen.Add(phone)) errors[AccountColumns.Phone] = [HostTexts.Local("import.account.phoneTwice")];

            var ambiguous = false;
            var region = regionText is null ? null : ImportRows.FindRegion(regions, regionText, out ambiguous);
            if (regionText is null) errors[AccountColumns.Region] = [HostTexts.Local("field.required.generic")];
            else if (region is null) errors[AccountColumns.Region] = [HostTexts.Local(
                ambiguous ? "import.account.regionAmbiguous" : "import.account.regionUnknown", regionText)];

            Role? role = null;
            if (roleText is not null)
            {
                if (AccountColumns.Roles.TryGetValue(roleText, out var named)) role = named;
                else errors[AccountColumns.RoleHeader] = [HostTexts.Local("import.account.role", string.Join("、", AccountColumns.Roles.Keys.Where(k => !k.Contains('-') && k != "supervisor")))];
            }
            if (region is not null && !errors.ContainsKey(AccountColumns.RoleHeader))
            {
                // A child director sits in a village, a supervisor in a town: the region says which unless the row does.
                var level = region.Kind == RegionKind.Village ? Role.ChildDirector : Role.Supervisor;
                role ??= level;
                if (role != level)
                {
                    errors[AccountColumns.Region] = [HostTexts.Local("user.region.level", role.Value.Name(), AccountRules.RequiredLevel[role.Value].ToString().ToLowerInvariant())];
                }
            }

            var exists = phone is not null && taken.Contains(phone) && errors.Count == 0;
            var status = errors.Count > 0 ? "error" : exists ? "exists" : "new";
            var row = new AccountImportRow(sheetRow.Number, name, phone, region?.Code, region?.Name, role, status,
                errors.Count > 0 ? errors : null, status == "error" ? null : phone, null);
            if (status == "new" && !request.DryRun)
            {
                var password = OneTimePasswords.New();
                var user = new UserAccount
                {
                    Id = Ids.New(), UserName = phone!, PasswordHash = "", Role = role!.Value, RegionCode = region!.Code, RegionPath = region.Path,
                    DisplayName = name, Phone = phone, MustChangePassword = true, CreatedAt = now,
                };
                user.PasswordHash = hasher.HashPassword(user, password);
                toCreate.Add((row, user, password));
                row = row with { TemporaryPassword = password };
            }
            rows.Add(row);
        }

        var errorCount = rows.Count(r => r.Status == "error");
        if (!request.DryRun)
        {
            ImportRows.RefuseIfAnyFailed(rows.Select(r => (r.Row, r.Errors)));
        }
        if (toCreate.Count > 0)
        {
            db.Users.AddRange(toCreate.Select(c => c.User));
            await db.SaveChangesAsync(cancellationToken);
        }
        return new AccountImport(request.DryRun, rows.Count(r => r.Status == "new"), rows.Count(r => r.Status == "exists"), errorCount, rows);
    }

    /// <summary>A mainland mobile number: 11 digits starting with 1 (also the notification settings' rule).</summary>
    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    internal static partial Regex MobileNumber();
}

/// <summary>
/// <c>GET /api/users/import/template?format=csv|xlsx</c>: the staff list's header row and one example row, so a county
/// fills in what the import reads. CSV in UTF-8 with a BOM, which Excel opens with the Chinese intact.
/// </summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
[NotAudited("A fixed header row and an invented example: no personal data.")]
public sealed record GetAccountTemplate(string? Format) : IRequest<SheetFile>;

internal sealed class GetAccountTemplateHandler : IRequestHandler<GetAccountTemplate, SheetFile>
{
    private static readonly string[] Headers = [AccountColumns.Name, AccountColumns.Phone, AccountColumns.Region, AccountColumns.RoleHeader];
    private static readonly string[] Example = ["王芳", "13800000000", "平安村", "儿童主任"];

    public Task<SheetFile> Handle(GetAccountTemplate request, CancellationToken cancellationToken) =>
        Task.FromResult(SheetTemplates.Build("staff-template", request.Format, Headers, Example));
}

internal sealed class ImportAccountEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/users/import/template", async (string? format, IMediator mediator, CancellationToken ct) =>
            {
                var file = await mediator.Send(new GetAccountTemplate(format), ct);
                return Results.File(file.Content, file.ContentType, file.FileName);
            })
            .RequireAuthorization()
            .WithTags("Users")
            .WithSummary("The staff list's template: its headers and an example row (format=csv, the default, or xlsx)")
            .ProducesProblem(400).ProducesProblem(403);
        app.MapPost("/api/users/import", async (HttpRequest http, bool? dryRun, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ImportAccounts(http.Body, http.ContentType, dryRun ?? true), ct)))
            .RequireAuthorization()
            // No Accepts(...) metadata: routing would answer 415 before the role check. The handler checks the type after it.
            .WithDescription("The body is the file itself: Content-Type text/csv (UTF-8 or GB18030) or " + SheetReader.XlsxContentType + ".")
            .WithTags("Users")
            .WithSummary("Import child directors and supervisors from a staff list (姓名, 手机号, 村/社区或乡镇[, 角色]); dryRun=true (the default) writes nothing")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(415).ProducesProblem(422);
    }
}
