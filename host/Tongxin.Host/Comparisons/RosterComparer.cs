using Tongxin.Host.Persistence;

namespace Tongxin.Host.Comparisons;

/// <summary>One roster row as read and checked: the name as family + given name run together, the village found in the county.</summary>
/// <param name="IdHash">The national ID number's keyed hash, when the row gave one; the number itself is gone by now.</param>
/// <param name="IdMale">The gender the ID number encodes, when it gave one.</param>
public sealed record RosterRow(
    int Number, string Name, string FullName, DateOnly BirthDate, string VillageCode, string VillagePath, string? IdHash, bool? IdMale,
    string? School, string? Grade);

/// <summary>An open file of the county as the comparison reads it: who, where, and the ID number's hash if the roster import set one.</summary>
public sealed record ComparedFile(
    string Id, string FamilyName, string GivenName, Gender Gender, DateOnly BirthDate, string VillageCode, string RegionPath, string? NationalIdHash)
{
    public string FullName => FamilyName + GivenName;
}

/// <summary>A field on which a roster row and its file disagree: <c>name</c>, <c>birthDate</c>, <c>village</c> or <c>gender</c>.</summary>
public sealed record FieldDifference(string Field, string Roster, string File);

/// <summary>What the comparison found, in one village: a row without a file, a file without a row, or a row and file that differ.</summary>
public sealed record ComparisonFinding(
    ComparisonItemKind Kind, string VillageCode, string RegionPath, RosterRow? Row, ComparedFile? File, IReadOnlyList<FieldDifference> Differences);

/// <summary>
/// The quarterly comparison's rule (ADR 0025), a pure function of the roster's rows and the county's open files:
/// <list type="number">
/// <item>a row and a file are the same child when both have a national ID number and the hashes are equal;</item>
/// <item>otherwise (either has none) when the full name and birth date are equal, anywhere in the county: a family that
/// moved village is still found, and a village that differs is reported as a difference. Names repeat: among several
/// files of that name and birth date the one in the row's village is taken first; a file whose number differs from the
/// row's is never taken by name;</item>
/// <item>each file is matched to one row at most; numbers are matched first, for every row, then names.</item>
/// </list>
/// A row without a file is a possible missing file (in the row's village); a file without a row is listed (in the file's
/// village) when the roster is expected to hold it: every open file for the police's household register, only children
/// aged 6 to 15 at the quarter's end for education's pupils (compulsory schooling).
/// </summary>
public static class RosterComparer
{
    public const int SchoolAgeFrom = 6;
    public const int SchoolAgeTo = 15;

    public static List<ComparisonFinding> Compare(ComparisonSource source, IReadOnlyList<RosterRow> rows, IReadOnlyList<ComparedFile> files, DateOnly asOf)
    {
        var matchOf = new Dictionary<int, ComparedFile>();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var byHash = files.Where(f => f.NationalIdHash is not null).GroupBy(f => f.NationalIdHash!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var row in rows.Where(r => r.IdHash is not null))
        {
            if (byHash.TryGetValue(row.IdHash!, out var file) && claimed.Add(file.Id))
            {
                matchOf[row.Number] = file;
            }
        }
        var byName = files.ToLookup(f => (f.FullName, f.BirthDate));
        foreach (var row in rows.Where(r => !matchOf.ContainsKey(r.Number)))
        {
            var file = byName[(row.FullName, row.BirthDate)]
                .Where(f => !claimed.Contains(f.Id) && !(row.IdHash is not null && f.NationalIdHash is not null))
                .OrderBy(f => f.VillageCode == row.VillageCode ? 0 : 1).ThenBy(f => f.Id, StringComparer.Ordinal)
                .FirstOrDefault();
            if (file is not null && claimed.Add(file.Id))
            {
                matchOf[row.Number] = file;
            }
        }

        var findings = new List<ComparisonFinding>();
        foreach (var row in rows)
        {
            if (!matchOf.TryGetValue(row.Number, out var file))
            {
                findings.Add(new ComparisonFinding(ComparisonItemKind.MissingFile, row.VillageCode, row.VillagePath, row, null, []));
                continue;
            }
            var differences = Differences(row, file);
            if (differences.Count > 0)
            {
                findings.Add(new ComparisonFinding(ComparisonItemKind.Differs, file.VillageCode, file.RegionPath, row, file, differences));
            }
        }
        foreach (var file in files.Where(f => !claimed.Contains(f.Id) && Expected(source, f, asOf)))
        {
            findings.Add(new ComparisonFinding(ComparisonItemKind.NoRosterRow, file.VillageCode, file.RegionPath, null, file, []));
        }
        return findings;
    }

    /// <summary>Does the roster of this source hold the child? Education's: pupils of compulsory-school age; the police's: everyone.</summary>
    public static bool Expected(ComparisonSource source, ComparedFile file, DateOnly asOf) =>
        source == ComparisonSource.Police || Requests.ChinaCalendar.AgeOn(file.BirthDate, asOf) is >= SchoolAgeFrom and <= SchoolAgeTo;

    private static List<FieldDifference> Differences(RosterRow row, ComparedFile file)
    {
        var differences = new List<FieldDifference>();
        if (row.FullName != file.FullName) differences.Add(new("name", row.Name, file.FamilyName + file.GivenName));
        if (row.BirthDate != file.BirthDate) differences.Add(new("birthDate", row.BirthDate.ToString("yyyy-MM-dd"), file.BirthDate.ToString("yyyy-MM-dd")));
        if (row.VillageCode != file.VillageCode) differences.Add(new("village", row.VillageCode, file.VillageCode));
        if (row.IdMale is { } male && male != (file.Gender == Gender.Male))
        {
            differences.Add(new("gender", male ? "male" : "female", file.Gender == Gender.Male ? "male" : "female"));
        }
        return differences;
    }
}
