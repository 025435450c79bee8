using System.Collections.ObjectModel;

namespace Tongxin.Matching;

/// <summary>
/// One batch to assign: <see cref="NeedCount"/> needs, providers with capacities, and the candidate
/// edges between them. Each need gets at most one provider, provider p gets at most
/// <c>ProviderCapacities[p]</c> needs, and a need may only go to a provider it has a candidate to.
/// Immutable; the constructor validates and builds the compact adjacency that the solvers share.
/// </summary>
public sealed class AssignmentProblem
{
    private readonly Candidate[] _candidates;

    /// <param name="needCount">Number of needs, indexed 0..needCount-1.</param>
    /// <param name="providerCapacities">Capacity of each provider (>= 0), indexed 0..length-1.</param>
    /// <param name="candidates">Candidate edges; (need, provider) pairs must be distinct, scores >= 1.</param>
    /// <exception cref="ArgumentException">An index is out of range, a capacity is negative, a score is
    /// below 1, or a (need, provider) pair appears twice; the message names the offending entry.</exception>
    public AssignmentProblem(int needCount, int[] providerCapacities, Candidate[] candidates)
    {
        ArgumentNullException.ThrowIfNull(providerCapacities);
        ArgumentNullException.ThrowIfNull(candidates);
        if (needCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(needCount), needCount, "The need count must not be negative.");
        }

        var providerCount = providerCapacities.Length;
        var capacities = (int[])providerCapacities.Clone();
        for (var p = 0; p < providerCount; p++)
        {
            if (capacities[p] < 0)
            {
                throw new ArgumentException(
                    $"Provider {p} has capacity {capacities[p]}; capacities must be 0 or more.", nameof(providerCapacities));
            }
        }

        _candidates = (Candidate[])candidates.Clone();
        var edgeCount = _candidates.Length;
        var start = new int[needCount + 1];
        var degree = new int[providerCount];
        for (var i = 0; i < edgeCount; i++)
        {
            var c = _candidates[i];
            if ((uint)c.Need >= (uint)needCount)
            {
                throw new ArgumentException(
                    $"Candidate {i} refers to need {c.Need}, outside 0..{needCount - 1} (need count {needCount}).", nameof(candidates));
            }
            if ((uint)c.Provider >= (uint)providerCount)
            {
                throw new ArgumentException(
                    $"Candidate {i} refers to provider {c.Provider}, outside 0..{providerCount - 1} (provider count {providerCount}).", nameof(candidates));
            }
            if (c.Score < 1)
            {
                throw new ArgumentException(
                    $"Candidate {i} (need {c.Need}, provider {c.Provider}) has score {c.Score}; scores must be 1 or more.", nameof(candidates));
            }
            start[c.Need + 1]++;
            degree[c.Provider]++;
        }
        for (var j = 0; j < needCount; j++)
        {
            start[j + 1] += start[j];
        }

        // Counting sort by need, then each need's edges by provider index (stable, deterministic order).
        var edgeProvider = new int[edgeCount];
        var edgeScore = new int[edgeCount];
        var original = new int[edgeCount];
        var fill = new int[needCount];
        Array.Copy(start, fill, needCount);
        for (var i = 0; i < edgeCount; i++)
        {
            var pos = fill[_candidates[i].Need]++;
            edgeProvider[pos] = _candidates[i].Provider;
            original[pos] = i;
        }
        for (var j = 0; j < needCount; j++)
        {
            var from = start[j];
            var length = start[j + 1] - from;
            if (length > 1)
            {
                Array.Sort(edgeProvider, original, from, length);
            }
            for (var e = from; e < from + length; e++)
            {
                if (e > from && edgeProvider[e] == edgeProvider[e - 1])
                {
                    var first = Math.Min(original[e - 1], original[e]);
                    var second = Math.Max(original[e - 1], original[e]);
                    throw new ArgumentException(
                        $"Candidates {first} and {second} both pair need {j} with provider {edgeProvider[e]}; each (need, provider) pair may appear once.",
                        nameof(candidates));
                }
                edgeScore[e] = _candidates[original[e]].Score;
            }
        }

        NeedCount = needCount;
        ProviderCount = providerCount;
        Capacity = capacities;
        ProviderCapacities = new ReadOnlyCollection<int>(capacities);
        ProviderDegree = degree;
        EdgeStart = start;
        EdgeProvider = edgeProvider;
        EdgeScore = edgeScore;
    }

    /// <summary>Number of needs.</summary>
    public int NeedCount { get; }

    /// <summary>Number of providers (the length of <see cref="ProviderCapacities"/>).</summary>
    public int ProviderCount { get; }

    /// <summary>Capacity of each provider.</summary>
    public IReadOnlyList<int> ProviderCapacities { get; }

    /// <summary>The candidate edges, in the order given to the constructor.</summary>
    public ReadOnlyMemory<Candidate> Candidates => _candidates;

    /// <summary>Number of candidate edges.</summary>
    public int CandidateCount => _candidates.Length;

    // Compressed sparse rows by need: edges of need j are EdgeStart[j]..EdgeStart[j+1]-1, sorted by provider.
    internal int[] EdgeStart { get; }
    internal int[] EdgeProvider { get; }
    internal int[] EdgeScore { get; }
    internal int[] Capacity { get; }
    internal int[] ProviderDegree { get; }
}
