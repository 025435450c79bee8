namespace Tongxin.Matching;

/// <summary>
/// A candidate edge: need <see cref="Need"/> may be served by provider <see cref="Provider"/>,
/// and doing so is worth <see cref="Score"/> (a positive integer, higher is better).
/// </summary>
public readonly record struct Candidate(int Need, int Provider, int Score);
