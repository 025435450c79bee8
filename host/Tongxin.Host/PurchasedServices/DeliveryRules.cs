using System.Security.Cryptography;
using System.Text;
using Orleans;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.PurchasedServices;

/// <summary>One delivery as reported (one JSON body, or one CSV row).</summary>
[GenerateSerializer]
[Immutable]
public sealed record DeliveryInput([property: Id(0)] string ChildId, [property: Id(1)] DateTime At, [property: Id(2)] int Units, [property: Id(3)] UnitKind Kind, [property: Id(4)] string Notes)
{
    /// <summary>What identifies "the same body" for an Idempotency-Key: every field, canonically written.</summary>
    public string Hash()
    {
        var canonical = string.Join('\u001f', ChildId, At.ToUniversalTime().ToString("O"), Units, Kind, Notes);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>What the rules need to know of a child: where they live and whether the guardian's consent covers purchased services.</summary>
public sealed record ChildFacts(string RegionPath, bool ConsentsToServices);

/// <summary>
/// The rules a delivery must pass: a child inside the contract's regions whose guardian consented to services, a time
/// inside the contract's period and not in the future, the contract's unit kind, and no more units than
/// remain. Units beyond the contract are refused, not flagged (README: purchased services).
/// </summary>
internal static class DeliveryRules
{
    public static List<(string Field, string Message)> Check(
        PurchasedServiceContract contract, DeliveryInput input, ChildFacts? child, int remaining, DateTime now) =>
        Check(contract, ProviderJson.Strings(contract.CoveredPathsJson), input, child, remaining, now);

    /// <summary>The same, with the contract's covered region paths read once for a whole upload.</summary>
    public static List<(string Field, string Message)> Check(
        PurchasedServiceContract contract, IReadOnlyList<string> coveredPaths, DeliveryInput input, ChildFacts? child, int remaining, DateTime now)
    {
        var errors = new List<(string, string)>();
        if (child is null)
        {
            errors.Add(("childId", HostTexts.Local("notFound.child")));
        }
        else
        {
            if (!RegionPaths.Covers(coveredPaths, child.RegionPath))
            {
                errors.Add(("childId", HostTexts.Local("delivery.child.outsideRegions")));
            }
            if (!child.ConsentsToServices)
            {
                errors.Add(("guardianConsent", Children.GuardianConsent.PurposeMissing(Children.ConsentPurposes.Services)));
            }
        }
        var day = DateOnly.FromDateTime(input.At.ToUniversalTime().AddHours(8));
        if (input.At.ToUniversalTime() > now.AddMinutes(5))
        {
            errors.Add(("at", HostTexts.Local("field.future")));
        }
        else if (day < contract.StartsOn || day > contract.EndsOn)
        {
            errors.Add(("at", HostTexts.Local("delivery.at.outsidePeriod", contract.StartsOn.ToString("yyyy-MM-dd"), contract.EndsOn.ToString("yyyy-MM-dd"))));
        }
        if (input.Kind != contract.UnitKind)
        {
            errors.Add(("kind", HostTexts.Local("delivery.kind.mismatch", Kebab(contract.UnitKind))));
        }
        if (input.Units < 1)
        {
            errors.Add(("units", HostTexts.Local("field.min", 1)));
        }
        else if (input.Units > remaining)
        {
            errors.Add(("units", HostTexts.Local("delivery.units.exceed", remaining)));
        }
        if (input.Notes.Length > 2000)
        {
            errors.Add(("notes", HostTexts.Local("field.tooLong", 2000)));
        }
        return errors;
    }

    public static string Kebab(UnitKind kind) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());

    public static DateOnly ChinaDay(DateTime at) => DateOnly.FromDateTime(at.ToUniversalTime().AddHours(8));
}
