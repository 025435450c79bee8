using Tongxin.Host.PurchasedServices;
using Tongxin.Host.Text;

namespace Tongxin.Host.Reports;

/// <summary>
/// Reports as CSV for the county's spreadsheets (UTF-8 with BOM, via <see cref="CsvRows.Write"/>). The ledger and the
/// annual report are written long: one figure per row (town, item code, item in words, value), which prints as
/// it is and pivots in any spreadsheet; the gap map is one row per town and line. Headers and item words follow
/// the request's language (Chinese unless English is asked for); item codes stay the same in every language.
/// </summary>
internal static class ReportCsv
{
    private static string Col(string name) => HostTexts.Local($"report.col.{name}");

    private static string Item(string key, params object[] args) => HostTexts.Local($"report.item.{key}", args);

    public static byte[] Gaps(GapMapReport report) => CsvRows.Write(
        new[] { "townCode", "townName", "line", "lineName", "openNeeds", "escalated", "medianDaysWaiting", "p90DaysWaiting", "providers", "freePlaces" }.Select(Col),
        report.Rows.Select(r => new object?[] { r.TownCode, r.TownName, r.Line, r.LineName, r.OpenNeeds, r.Escalated, r.MedianDaysWaiting, r.P90DaysWaiting, r.Providers, r.FreePlaces }));

    public static byte[] Ledger(LedgerReport report) =>
        Long(new[] { report.Total }.Concat(report.Towns).SelectMany(TownItems).Concat(ComparisonItems(report)));

    /// <summary>The quarter's comparisons with education's and the police's rosters, on the total's rows.</summary>
    private static IEnumerable<(string, string, string, string, object?)> ComparisonItems(LedgerReport report)
    {
        var t = report.Total;
        foreach (var c in report.Comparisons)
        {
            var source = HostTexts.Local($"comparison.source.{c.Source}");
            yield return (t.TownCode, t.TownName, $"comparison.{c.Source}.done", Item("comparison.done", source), c.Done ? 1 : 0);
            yield return (t.TownCode, t.TownName, $"comparison.{c.Source}.missing-file", Item("comparison.missing-file", source), c.MissingFile);
            yield return (t.TownCode, t.TownName, $"comparison.{c.Source}.no-roster-row", Item("comparison.no-roster-row", source), c.NoRosterRow);
            yield return (t.TownCode, t.TownName, $"comparison.{c.Source}.differs", Item("comparison.differs", source), c.Differs);
            yield return (t.TownCode, t.TownName, $"comparison.{c.Source}.open", Item("comparison.open", source), c.Open);
        }
    }

    public static byte[] Annual(AnnualReport report) =>
        Long(new[] { report.Total }.Concat(report.Towns).SelectMany(AnnualItems));

    private static byte[] Long(IEnumerable<(string Town, string TownName, string Code, string Label, object? Value)> items) => CsvRows.Write(
        new[] { "townCode", "townName", "item", "itemName", "value" }.Select(Col),
        items.Select(i => new object?[] { i.Town, i.TownName, i.Code, i.Label, i.Value }));

    private static IEnumerable<(string, string, string, string, object?)> TownItems(TownReport t)
    {
        (string, string, string, string, object?) Row(string code, string label, object? value) => (t.TownCode, t.TownName, code, label, value);
        yield return Row("children.total", Item("children.total"), t.Children.Total);
        yield return Row("children.left-behind", Item("children.left-behind"), t.Children.LeftBehind);
        yield return Row("children.in-difficulty", Item("children.in-difficulty"), t.Children.InDifficulty);
        yield return Row("risk.low", Item("risk.low"), t.Children.RiskLow);
        yield return Row("risk.medium", Item("risk.medium"), t.Children.RiskMedium);
        yield return Row("risk.high", Item("risk.high"), t.Children.RiskHigh);
        foreach (var (group, count) in t.Children.PriorityGroups)
        {
            yield return Row($"priority.{group}", Item("priority", group), count);
        }
        yield return Row("changes.new", Item("changes.new"), t.Changes.New);
        yield return Row("changes.closed", Item("changes.closed"), t.Changes.Closed);
        yield return Row("changes.moved-in", Item("changes.moved-in"), t.Changes.MovedIn);
        yield return Row("changes.moved-out", Item("changes.moved-out"), t.Changes.MovedOut);
        yield return Row("changes.risk-raised", Item("changes.risk-raised"), t.Changes.RiskRaised);
        yield return Row("changes.risk-lowered", Item("changes.risk-lowered"), t.Changes.RiskLowered);
        foreach (var n in t.Needs)
        {
            foreach (var (part, value) in new (string, int)[]
                     {
                         ("requested", n.Requested), ("open", n.Open), ("matched", n.Matched), ("cancelled", n.Cancelled), ("closed", n.Closed),
                         ("open-at-end", n.OpenAtEnd), ("pairings-started", n.PairingsStarted), ("pairings-active", n.PairingsActiveAtEnd),
                     })
            {
                yield return Row($"needs.{n.Line}.{part}", Item($"needs.{part}", n.LineName), value);
            }
        }
        foreach (var d in t.Rhythm)
        {
            yield return Row($"rhythm.{d.UserName}.children", Item("rhythm.children", d.UserName, d.VillageName), d.Children);
            yield return Row($"rhythm.{d.UserName}.kept", Item("rhythm.kept", d.UserName, d.VillageName), d.RhythmKept);
            yield return Row($"rhythm.{d.UserName}.contacts", Item("rhythm.contacts", d.UserName, d.VillageName), d.Contacts);
            yield return Row($"rhythm.{d.UserName}.home-visits", Item("rhythm.home-visits", d.UserName, d.VillageName), d.HomeVisits);
        }
    }

    private static IEnumerable<(string, string, string, string, object?)> AnnualItems(AnnualTown a)
    {
        foreach (var row in TownItems(a.Figures))
        {
            yield return row;
        }
        var t = a.Figures;
        (string, string, string, string, object?) Row(string code, string label, object? value) => (t.TownCode, t.TownName, code, label, value);
        yield return Row("escalations.town", Item("escalations.town"), a.Escalations.ToTown);
        yield return Row("escalations.county", Item("escalations.county"), a.Escalations.ToCounty);
        yield return Row("concerns.raised", Item("concerns.raised"), a.Concerns.Raised);
        foreach (var (kind, count) in a.Concerns.ByKind)
        {
            yield return Row($"concerns.kind.{kind}", Item("concerns.kind", kind), count);
        }
        foreach (var (stage, count) in a.Concerns.ByStage)
        {
            yield return Row($"concerns.stage.{stage}", Item("concerns.stage", stage), count);
        }
        yield return Row("concerns.reported-to-police", Item("concerns.reported-to-police"), a.Concerns.ReportedToPolice);
        yield return Row("concerns.escalated", Item("concerns.escalated"), a.Concerns.Escalated);
        foreach (var s in a.Services)
        {
            if (s.UnitsBought is { } bought)
            {
                yield return Row($"services.{s.Line}.contracts", Item("services.contracts", s.Line), s.Contracts);
                yield return Row($"services.{s.Line}.units-bought", Item("services.units-bought", s.Line), bought);
                yield return Row($"services.{s.Line}.amount-bought", Item("services.amount-bought", s.Line), s.AmountBought);
            }
            yield return Row($"services.{s.Line}.units-delivered", Item("services.units-delivered", s.Line), s.UnitsDelivered);
            yield return Row($"services.{s.Line}.amount-spent", Item("services.amount-spent", s.Line), s.AmountSpent);
        }
        yield return Row("staffing.villages", Item("staffing.villages"), a.Staffing.Villages);
        yield return Row("staffing.without-director", Item("staffing.without-director"), a.Staffing.VillagesWithoutDirector);
        yield return Row("staffing.over-thirty", Item("staffing.over-thirty"), a.Staffing.VillagesOverThirtyPerDirector);
    }

    public static byte[] Staffing(StaffingReport report) => CsvRows.Write(
        new[] { "villageCode", "villageName", "townCode", "children", "directors", "noDirector", "overThirtyPerDirector" }.Select(Col),
        report.Villages.Select(v => new object?[] { v.VillageCode, v.VillageName, v.TownCode, v.Children, v.Directors, v.NoDirector, v.OverThirtyPerDirector }));
}
