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

    /// <summary>How often pending offers are checked for expiry.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);
}
