using System.Text.Json;
using Tongxin.Host.Persistence;
using Tongxin.Modules.Contracts;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Providers;

public sealed record ProviderCreated(string Id) : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;
}

public sealed record VettingView(VettingStatus Status, DateTime? CheckedAt, DateTime? ExpiresAt, string? Reference, bool Valid);

public sealed record VolunteerView(
    string Id,
    string DisplayName,
    Gender? Gender,
    string RegionCode,
    IReadOnlyList<string> Lines,
    JsonElement Skills,
    int Capacity,
    int Committed,
    IReadOnlyList<string> Availability,
    string? UserId,
    string? OrganisationId,
    VettingView Vetting,
    int Version);

public sealed record ProgrammeView(
    string Id,
    string Line,
    string Title,
    IReadOnlyList<string> RegionCodes,
    int Seats,
    int SeatsTaken,
    int Waiting,
    DateOnly? StartsOn,
    DateOnly? EndsOn,
    int? AgeMin,
    int? AgeMax,
    string? FundingSource,
    JsonElement Details,
    string? OrganisationId,
    bool Open,
    int Version);

internal static class ProviderJson
{
    public static List<string> Strings(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    public static string Write<T>(T value) => JsonSerializer.Serialize(value);

    /// <summary>The offer of one line from the provider's offers by line.</summary>
    public static JsonElement OfferFor(Provider provider, string line)
    {
        using var document = JsonDocument.Parse(provider.OfferJson);
        return document.RootElement.TryGetProperty(line, out var offer) ? offer.Clone() : JsonDocument.Parse("{}").RootElement.Clone();
    }

    public static bool VettingValid(Provider provider, DateTime now) =>
        provider.Kind == ProviderKind.Programme
        || (provider.VettingStatus == VettingStatus.Passed && provider.VettingExpiresAt > now);

    public static VolunteerView Volunteer(Provider p, DateTime now) => new(
        p.Id, p.DisplayName, p.Gender, p.RegionCode, Strings(p.LinesJson), JsonDocument.Parse(p.OfferJson).RootElement.Clone(),
        p.Capacity, p.Committed, Strings(p.AvailabilityJson), p.UserId, p.OrganisationId,
        new VettingView(p.VettingStatus, p.VettingCheckedAt, p.VettingExpiresAt, p.VettingReference, VettingValid(p, now)), p.Version);

    public static ProgrammeView Programme(Provider p, DateOnly today, int waiting = 0)
    {
        var line = Strings(p.LinesJson).Single();
        var regionCodes = Strings(p.CoveredPathsJson).Select(path => Regions.RegionPaths.Codes(path).Last()).ToList();
        return new ProgrammeView(
            p.Id, line, p.DisplayName, regionCodes, p.Capacity, p.Committed, waiting, p.StartsOn, p.EndsOn, p.AgeMin, p.AgeMax, p.FundingSource,
            OfferFor(p, line), p.OrganisationId, IsOpen(p, today), p.Version);
    }

    public static bool IsOpen(Provider p, DateOnly today) => p.Committed < p.Capacity && (p.EndsOn is null || p.EndsOn >= today);
}
