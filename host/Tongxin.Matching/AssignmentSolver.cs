namespace Tongxin.Matching;

/// <summary>
/// Exact maximum-score assignment of needs to providers (bipartite b-matching in which a need may
/// stay unassigned), solved as a minimum-cost flow.
/// <para>
/// Algorithm: primal-dual successive shortest paths, one need at a time, with Johnson potentials kept
/// as LP duals (need profit u, provider price v), Dijkstra on the non-negative reduced costs, and early
/// termination as soon as the sink's distance is settled. Because a need may stay unassigned (an arc to
/// the sink of cost 0), every search is bounded by the new need's own best margin; only providers that
/// are currently full are expanded, and duals are updated only for the nodes a search settled
/// (Jonker-Volgenant style), so one step costs what it explored, never a pass over the instance.
/// Needs are added strongest first (highest best score), so weak needs meet prices that already
/// exclude them and their searches end at once. See README.md for the invariants, the complexity,
/// the measured figures and the limits.
/// </para>
/// The duals are returned as an <see cref="OptimalityCertificate"/> that proves the result optimal.
/// Deterministic: needs in (best score desc, index) order, heap keyed by (distance, provider index).
/// Single-threaded; compact int/long arrays, no allocation per search.
/// </summary>
public static class AssignmentSolver
{
    /// <summary>Solves the problem exactly (maximum total score).</summary>
    public static Assignment Solve(AssignmentProblem problem) => Solve(problem, out _);

    /// <summary>Solves the problem exactly and also returns the dual solution that proves it optimal.</summary>
    public static Assignment Solve(AssignmentProblem problem, out OptimalityCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var search = new ShortestAugmentingPaths(problem);
        search.Run();
        certificate = new OptimalityCertificate(search.Profit, search.Price, problem.ProviderCapacities);
        return search.ToAssignment();
    }

    /// <summary>
    /// Network: need j (supply 1) -> provider p, capacity 1, cost -score; provider p -> sink, capacity
    /// cap[p], cost 0; need j -> sink ("unassigned"), capacity 1, cost 0. Potentials: pi(need) = u[j],
    /// pi(provider) = -v[p], pi(sink) = 0, so reduced costs are u[j] + v[p] - score (need -> provider),
    /// score - u[j] - v[p] = 0 on the reverse of an assigned edge, -v[p] = 0 from a provider with room
    /// to the sink (its price is 0), and u[j] from an assigned need to the sink. Invariants after each
    /// step: u, v >= 0; u[j] + v[p] >= score on every candidate; equality on assigned edges; u[j] = 0
    /// for unassigned needs; v[p] = 0 while load[p] &lt; cap[p]. These are exactly LP optimality.
    /// </summary>
    private sealed class ShortestAugmentingPaths
    {
        private const long Unreached = long.MaxValue;

        private readonly int _needCount;
        private readonly int[] _edgeStart;
        private readonly int[] _edgeProvider;
        private readonly int[] _edgeScore;
        private readonly int[] _capacity;
        private readonly long[] _edges; // (score << 32) | provider: one cache line per need's edges

        // Primal state. Needs assigned to provider p occupy slots _slotStart[p] .. _slotStart[p] + _load[p] - 1.
        private readonly int[] _slotStart;
        private readonly int[] _slotNeed;
        private readonly int[] _load;
        private readonly int[] _providerOf;
        private readonly int[] _edgeOf;
        private readonly int[] _slotOf;

        // Dual state (potentials).
        internal readonly long[] Profit;
        internal readonly long[] Price;

        // Search state, reset only where touched.
        private readonly long[] _dist;
        private readonly int[] _predNeed;
        private readonly int[] _predEdge;
        private readonly int[] _touched;
        private int _touchedCount;
        private readonly int[] _settled;
        private readonly long[] _settledDist;
        private int _settledCount;
        private readonly int[] _scanned;
        private readonly long[] _scannedDist;
        private int _scannedCount;
        private long[] _heap;
        private int _heapCount;

        // Best way to the sink found so far in the current search.
        private long _sinkDist;
        private int _endNeed;
        private int _endProvider;

        public ShortestAugmentingPaths(AssignmentProblem problem)
        {
            _needCount = problem.NeedCount;
            var providerCount = problem.ProviderCount;
            _edgeStart = problem.EdgeStart;
            _edgeProvider = problem.EdgeProvider;
            _edgeScore = problem.EdgeScore;
            _capacity = problem.Capacity;
            _edges = new long[_edgeProvider.Length];
            for (var e = 0; e < _edges.Length; e++)
            {
                _edges[e] = ((long)_edgeScore[e] << 32) | (uint)_edgeProvider[e];
            }

            // A provider never holds more needs than it has candidates, whatever its nominal capacity.
            _slotStart = new int[providerCount + 1];
            for (var p = 0; p < providerCount; p++)
            {
                _slotStart[p + 1] = _slotStart[p] + Math.Min(_capacity[p], problem.ProviderDegree[p]);
            }
            _slotNeed = new int[_slotStart[providerCount]];
            _load = new int[providerCount];
            _providerOf = new int[_needCount];
            _edgeOf = new int[_needCount];
            _slotOf = new int[_needCount];
            Array.Fill(_providerOf, -1);
            Array.Fill(_edgeOf, -1);

            Profit = new long[_needCount];
            Price = new long[providerCount];

            _dist = new long[providerCount];
            Array.Fill(_dist, Unreached);
            _predNeed = new int[providerCount];
            _predEdge = new int[providerCount];
            _touched = new int[providerCount];
            _settled = new int[providerCount];
            _settledDist = new long[providerCount];
            _scanned = new int[_needCount];
            _scannedDist = new long[_needCount];
            _heap = new long[Math.Max(16, Math.Min(problem.CandidateCount, 1 << 16))];
        }

        public void Run()
        {
            // Any order gives the optimum (each step keeps the flow optimal for the needs added so far);
            // strongest first makes the later, weaker needs meet prices that already exclude them.
            var order = new int[_needCount];
            var key = new long[_needCount];
            for (var j = 0; j < _needCount; j++)
            {
                var best = 0;
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
                {
                    best = Math.Max(best, _edgeScore[e]);
                }
                order[j] = j;
                key[j] = ((long)(int.MaxValue - best) << 32) | (uint)j; // best desc, index asc
            }
            Array.Sort(key, order);
            foreach (var need in order)
            {
                if (_edgeStart[need] < _edgeStart[need + 1])
                {
                    AddNeed(need);
                }
            }
        }

        public Assignment ToAssignment()
        {
            var scoreOfNeed = new int[_needCount];
            for (var j = 0; j < _needCount; j++)
            {
                if (_edgeOf[j] >= 0)
                {
                    scoreOfNeed[j] = _edgeScore[_edgeOf[j]];
                }
            }
            return Assignment.FromArrays((int[])_providerOf.Clone(), scoreOfNeed);
        }

        /// <summary>One successive-shortest-path step: route the new need's unit of supply to the sink.</summary>
        private void AddNeed(int k)
        {
            // Initial profit: the best the need could get at current prices (0 = stay unassigned).
            long best = 0;
            for (var e = _edgeStart[k]; e < _edgeStart[k + 1]; e++)
            {
                var gain = _edgeScore[e] - Price[_edgeProvider[e]];
                if (gain > best)
                {
                    best = gain;
                }
            }
            Profit[k] = best;
            if (best == 0)
            {
                return; // no candidate is worth anything at current prices: unassigned, duals unchanged
            }

            _sinkDist = best; // the "unassigned" arc
            _endNeed = k;
            _endProvider = -1;
            Scan(k, 0, -1);

            while (_heapCount > 0)
            {
                var top = PopMin();
                var d = top >> 32;
                var p = (int)(top & 0xFFFF_FFFF);
                if (d != _dist[p])
                {
                    continue; // stale entry
                }
                if (d >= _sinkDist)
                {
                    break;
                }
                _dist[p] = -1; // settled: no further label can improve it
                _settled[_settledCount] = p;
                _settledDist[_settledCount++] = d;
                var load = _load[p];
                if (load < _capacity[p])
                {
                    _sinkDist = d; // room left: reaches the sink at reduced cost 0
                    _endProvider = p;
                    _endNeed = -1;
                    break;
                }
                // Full: continue through the needs it holds (reverse arcs, reduced cost 0).
                var from = _slotStart[p];
                for (var s = from; s < from + load; s++)
                {
                    Scan(_slotNeed[s], d, p);
                }
            }

            UpdatePotentials();
            Augment(k);
            Reset();
        }

        /// <summary>Settles need j at distance d (it has a single incoming residual arc) and relaxes its arcs.</summary>
        private void Scan(int j, long d, int currentProvider)
        {
            _scanned[_scannedCount] = j;
            _scannedDist[_scannedCount++] = d;
            var reach = d + Profit[j];
            if (reach < _sinkDist)
            {
                _sinkDist = reach; // drop j, freeing its provider for the path behind it
                _endNeed = j;
                _endProvider = -1;
            }
            var edges = _edges;
            var price = Price;
            var dist = _dist;
            for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
            {
                var packed = edges[e];
                var q = (int)packed;
                var nd = reach + price[q] - (packed >> 32);
                // Settled providers have dist -1 and nd >= 0, so they are skipped here too.
                if (nd < dist[q] && nd < _sinkDist && q != currentProvider)
                {
                    if (dist[q] == Unreached)
                    {
                        _touched[_touchedCount++] = q;
                    }
                    dist[q] = nd;
                    _predNeed[q] = j;
                    _predEdge[q] = e;
                    Push((nd << 32) | (uint)q);
                }
            }
        }

        private void UpdatePotentials()
        {
            var sink = _sinkDist;
            for (var i = 0; i < _settledCount; i++)
            {
                Price[_settled[i]] += sink - _settledDist[i];
            }
            for (var i = 0; i < _scannedCount; i++)
            {
                Profit[_scanned[i]] -= sink - _scannedDist[i];
            }
        }

        private void Augment(int k)
        {
            int p;
            int slot;
            if (_endProvider >= 0)
            {
                p = _endProvider;
                slot = _slotStart[p] + _load[p]++;
            }
            else
            {
                var dropped = _endNeed;
                if (dropped == k)
                {
                    return; // staying unassigned is the best for the new need
                }
                p = _providerOf[dropped];
                slot = _slotOf[dropped];
                _providerOf[dropped] = -1;
                _edgeOf[dropped] = -1;
            }
            while (true)
            {
                var j = _predNeed[p];
                var previousProvider = _providerOf[j];
                var previousSlot = _slotOf[j];
                _slotNeed[slot] = j;
                _slotOf[j] = slot;
                _providerOf[j] = p;
                _edgeOf[j] = _predEdge[p];
                if (j == k)
                {
                    return;
                }
                p = previousProvider;
                slot = previousSlot;
            }
        }

        private void Reset()
        {
            for (var i = 0; i < _touchedCount; i++)
            {
                _dist[_touched[i]] = Unreached;
            }
            _touchedCount = 0;
            _settledCount = 0;
            _scannedCount = 0;
            _heapCount = 0;
        }

        // Binary min-heap of packed (distance << 32 | provider) keys; distances are in [0, 2^31).
        private void Push(long key)
        {
            if (_heapCount == _heap.Length)
            {
                Array.Resize(ref _heap, _heap.Length * 2);
            }
            var heap = _heap;
            var i = _heapCount++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (heap[parent] <= key)
                {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = key;
        }

        private long PopMin()
        {
            var heap = _heap;
            var top = heap[0];
            var last = heap[--_heapCount];
            var n = _heapCount;
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= n)
                {
                    break;
                }
                if (child + 1 < n && heap[child + 1] < heap[child])
                {
                    child++;
                }
                if (heap[child] >= last)
                {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}
