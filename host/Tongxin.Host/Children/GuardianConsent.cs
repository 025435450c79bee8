using System.Linq.Expressions;
using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>
/// The one rule of guardian consent, used by every place that needs it (requesting help, matching, accepting an
/// offer, a purchased-service delivery, why a need waits, who may list a child's needs): consent is on the file
/// (who gave it and when, not withdrawn) and names the purpose (<see cref="ConsentPurposes"/>). Written once as an
/// expression, so a query filters by it in the database and code checks a loaded file by the same rule, compiled.
/// </summary>
public static class GuardianConsent
{
    private static readonly Dictionary<string, Func<ChildFile, bool>> Compiled =
        ConsentPurposes.All.ToDictionary(purpose => purpose, purpose => Covering(purpose).Compile(), StringComparer.Ordinal);

    /// <summary>Files whose consent covers <paramref name="purpose"/>, for a query's <c>Where</c>.</summary>
    public static Expression<Func<ChildFile, bool>> Covering(string purpose)
    {
        // The purposes are stored as a JSON array of fixed words (["matching","services"]): the quoted word is in it
        // exactly when the purpose is, and both databases search a column for a constant.
        var quoted = $"\"{purpose}\"";
        return file => file.ConsentBy != null && file.ConsentRecordedAt != null && file.ConsentPurposesJson.Contains(quoted);
    }

    /// <summary>Whether this file's consent covers <paramref name="purpose"/> (the same rule as <see cref="Covering"/>).</summary>
    public static bool Covers(this ChildFile file, string purpose) => Compiled[purpose](file);

    /// <summary>Whether any consent is on the file at all (who and when), whatever it covers.</summary>
    public static bool IsRecorded(this ChildFile file) => file.ConsentBy is not null && file.ConsentRecordedAt is not null;

    /// <summary>
    /// The 422 for doing what <paramref name="purpose"/> needs on this file, or null when its consent covers it: no
    /// consent at all names <c>guardianConsent</c>; a consent without the purpose names <c>guardianConsent.purposes</c>
    /// and the purpose missing.
    /// </summary>
    public static RuleViolationException? Refusal(this ChildFile file, string purpose) =>
        !file.IsRecorded() ? new RuleViolationException(HostTexts.Local("need.consent.missing"), "guardianConsent")
        : !file.Covers(purpose) ? new RuleViolationException(PurposeMissing(purpose), "guardianConsent.purposes")
        : null;

    /// <summary>"The guardian's consent does not cover …", in the caller's language.</summary>
    public static string PurposeMissing(string purpose)
    {
        var label = HostTexts.Get($"consent.purpose.{purpose}");
        return HostTexts.Local("consent.purpose.missing", label.Zh, label.En);
    }
}
