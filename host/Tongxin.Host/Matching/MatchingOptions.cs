namespace Tongxin.Host.Matching;

/// <summary><c>Matching:*</c> settings.</summary>
public sealed class MatchingOptions
{
    public const string Section = "Matching";

    /// <summary>Run matching by itself when a need or a provider appears or frees up.</summary>
    public bool AutoRun { get; set; } = true;

    /// <summary>How long a provider has to answer an offer before it goes back to matching.</summary>
    public TimeSpan OfferLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Candidates kept per need (the best-scoring ones) before the batch optimisation.</summary>
    public int CandidatesPerNeed { get; set; } = 20;

    /// <summary>
    /// Automatic batches of one line and county start at most this often (the first after a quiet spell at once):
    /// offers are answered over days, so a few seconds' wait costs no one anything, and a burst of needs is
    /// matched in one batch instead of one batch each.
    /// </summary>
    public TimeSpan AutoRunInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// While a line and county has open needs, its matchmaker's reminder runs a batch this often even if nothing wakes
    /// it (a vetting renewed, a host that died before its batch ran). Orleans reminders are durable where several
    /// hosts run; tests shorten this.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often pending offers are checked for expiry.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);
}
