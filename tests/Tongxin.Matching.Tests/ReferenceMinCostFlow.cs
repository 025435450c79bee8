using System.Globalization;

namespace Tongxin.Matching.Tests;

/// <summary>
/// A deliberately simple, independent exact solver used only to check <see cref="AssignmentSolver"/>:
/// a general minimum-cost flow with node supplies, solved by successive shortest paths where every
/// path is found by Bellman-Ford (queue-based, no potentials, no early exit) from a super source to
/// a super sink. It shares no code with the library and knows nothing about needs or providers.
/// </summary>
internal sealed class ReferenceMinCostFlow
{
    private readonly List<int> _from = [];
    private readonly List<int> _to = [];
    private readonly List<long> _capacity = [];
    private readonly List<long> _cost = [];
    private readonly long[] _supply;

    public ReferenceMinCostFlow(int nodeCount)
    {
        NodeCount = nodeCount;
        _supply = new long[nodeCount];
    }

    public int NodeCount { get; }

    public long[] Flow { get; private set; } = [];

    public void SetSupply(int node, long supply) => _supply[node] = supply;

    /// <returns>The arc's index (flows are reported per arc index).</returns>
    public int AddArc(int from, int to, long capacity, long cost)
    {
        _from.Add(from);
        _to.Add(to);
        _capacity.Add(capacity);
        _cost.Add(cost);
        return _from.Count - 1;
    }

    /// <summary>Minimum total cost of a flow meeting every supply and demand exactly.</summary>
    public long Solve()
    {
        var arcCount = _from.Count;
        var source = NodeCount;
        var sink = NodeCount + 1;
        var nodes = NodeCount + 2;
        // Residual graph as paired arcs: 2i forward, 2i+1 backward.
        var from = new List<int>();
        var to = new List<int>();
        var residual = new List<long>();
        var cost = new List<long>();
        void Add(int a, int b, long cap, long c)
        {
            from.Add(a); to.Add(b); residual.Add(cap); cost.Add(c);
            from.Add(b); to.Add(a); residual.Add(0); cost.Add(-c);
        }
        for (var i = 0; i < arcCount; i++)
        {
            Add(_from[i], _to[i], _capacity[i], _cost[i]);
        }
        long required = 0;
        for (var v = 0; v < NodeCount; v++)
        {
            if (_supply[v] > 0)
            {
                Add(source, v, _supply[v], 0);
                required += _supply[v];
            }
            else if (_supply[v] < 0)
            {
                Add(v, sink, -_supply[v], 0);
            }
        }
        var outgoing = new List<int>[nodes];
        for (var v = 0; v < nodes; v++)
        {
            outgoing[v] = [];
        }
        for (var a = 0; a < from.Count; a++)
        {
            outgoing[from[a]].Add(a);
        }

        long total = 0;
        long sent = 0;
        var dist = new long[nodes];
        var via = new int[nodes];
        var inQueue = new bool[nodes];
        while (sent < required)
        {
            Array.Fill(dist, long.MaxValue);
            Array.Fill(via, -1);
            dist[source] = 0;
            var queue = new Queue<int>();
            queue.Enqueue(source);
            inQueue[source] = true;
            while (queue.Count > 0)
            {
                var v = queue.Dequeue();
                inQueue[v] = false;
                foreach (var a in outgoing[v])
                {
                    if (residual[a] > 0 && dist[v] + cost[a] < dist[to[a]])
                    {
                        dist[to[a]] = dist[v] + cost[a];
                        via[to[a]] = a;
                        if (!inQueue[to[a]])
                        {
                            inQueue[to[a]] = true;
                            queue.Enqueue(to[a]);
                        }
                    }
                }
            }
            if (dist[sink] == long.MaxValue)
            {
                throw new InvalidOperationException("The supplies cannot be met.");
            }
            var push = required - sent;
            for (var v = sink; v != source; v = from[via[v]])
            {
                push = Math.Min(push, residual[via[v]]);
            }
            for (var v = sink; v != source; v = from[via[v]])
            {
                residual[via[v]] -= push;
                residual[via[v] ^ 1] += push;
            }
            total += push * dist[sink];
            sent += push;
        }
        Flow = new long[arcCount];
        for (var i = 0; i < arcCount; i++)
        {
            Flow[i] = residual[2 * i + 1];
        }
        return total;
    }

    /// <summary>
    /// The max-score assignment as a flow, built directly from the problem's definition (not from the
    /// library's DIMACS writer): needs supply 1, need -> provider arcs cost -score, provider -> sink
    /// capacity, need -> sink "unassigned" at cost 0. Returns the maximum total score.
    /// </summary>
    public static (long TotalScore, int[] ProviderOfNeed) SolveAssignment(int needCount, int[] capacities, Candidate[] candidates)
    {
        var providers = capacities.Length;
        var sink = needCount + providers;
        var flow = new ReferenceMinCostFlow(needCount + providers + 1);
        for (var j = 0; j < needCount; j++)
        {
            flow.SetSupply(j, 1);
            flow.AddArc(j, sink, 1, 0);
        }
        flow.SetSupply(sink, -needCount);
        for (var p = 0; p < providers; p++)
        {
            flow.AddArc(needCount + p, sink, capacities[p], 0);
        }
        var arcOf = new int[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            arcOf[i] = flow.AddArc(candidates[i].Need, needCount + candidates[i].Provider, 1, -candidates[i].Score);
        }
        var cost = flow.Solve();
        var providerOfNeed = Enumerable.Repeat(-1, needCount).ToArray();
        for (var i = 0; i < candidates.Length; i++)
        {
            if (flow.Flow[arcOf[i]] == 1)
            {
                providerOfNeed[candidates[i].Need] = candidates[i].Provider;
            }
        }
        return (-cost, providerOfNeed);
    }

    /// <summary>Reads a DIMACS "p min" instance (lines n and a; c comments) into a solver.</summary>
    public static ReferenceMinCostFlow ParseDimacs(string text, out int declaredNodes, out int declaredArcs)
    {
        ReferenceMinCostFlow? flow = null;
        declaredNodes = 0;
        declaredArcs = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "c":
                    break;
                case "p":
                    Assert.Equal("min", parts[1]);
                    declaredNodes = int.Parse(parts[2], CultureInfo.InvariantCulture);
                    declaredArcs = int.Parse(parts[3], CultureInfo.InvariantCulture);
                    flow = new ReferenceMinCostFlow(declaredNodes);
                    break;
                case "n":
                    flow!.SetSupply(int.Parse(parts[1], CultureInfo.InvariantCulture) - 1, long.Parse(parts[2], CultureInfo.InvariantCulture));
                    break;
                case "a":
                    Assert.Equal("0", parts[3]); // lower bounds are 0
                    flow!.AddArc(
                        int.Parse(parts[1], CultureInfo.InvariantCulture) - 1,
                        int.Parse(parts[2], CultureInfo.InvariantCulture) - 1,
                        long.Parse(parts[4], CultureInfo.InvariantCulture),
                        long.Parse(parts[5], CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new FormatException($"Unexpected DIMACS line: {line}");
            }
        }
        return flow ?? throw new FormatException("No problem line.");
    }
}
