namespace Tongxin.Matching;

/// <summary>Tuning switches for <see cref="AssignmentSolver"/>; the defaults are what production uses.</summary>
public sealed record AssignmentSolverOptions
{
    /// <summary>
    /// Start the exact phase from prices found by an epsilon-scaling auction (default). When false the
    /// exact phase starts from zero prices; the result is the same optimum, usually found more slowly.
    /// </summary>
    public bool AuctionWarmStart { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static AssignmentSolverOptions Default { get; } = new();
}

/// <summary>
/// Exact maximum-score assignment of needs to providers (bipartite b-matching where a need may stay
/// unassigned), solved as a minimum-cost flow. Three phases, all on compact arrays:
/// <list type="number">
/// <item>An epsilon-scaling auction (Bertsekas) finds near-optimal provider prices quickly.</item>
/// <item>Those prices, rounded, become exact LP duals (each need's profit is its best margin); every
/// need whose best provider has room takes it, which satisfies complementary slackness exactly.</item>
/// <item>Successive shortest paths finish the job exactly: a forward Dijkstra (non-negative reduced
/// costs, Johnson potentials = the duals, early termination) for each need still waiting, and a
/// backward Dijkstra for each provider whose rounded price is positive while it has room.</item>
/// </list>
/// The result comes with an <see cref="OptimalityCertificate"/> (the duals) that proves it optimal.
/// Deterministic (fixed orders, ties by index), single-threaded. See README.md.
/// </summary>
public static class AssignmentSolver
{
    /// <summary>Solves the problem exactly (maximum total score).</summary>
    public static Assignment Solve(AssignmentProblem problem) => Solve(problem, AssignmentSolverOptions.Default, out _);

    /// <summary>Solves the problem exactly and also returns the dual solution that proves it optimal.</summary>
    public static Assignment Solve(AssignmentProblem problem, out OptimalityCertificate certificate) =>
        Solve(problem, AssignmentSolverOptions.Default, out certificate);

    /// <summary>Solves the problem exactly with the given options, returning the optimality proof.</summary>
    public static Assignment Solve(AssignmentProblem problem, AssignmentSolverOptions options, out OptimalityCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        var solver = new Solver(problem);
        solver.Run(options);
        certificate = new OptimalityCertificate(solver.Profit, solver.Price, problem.ProviderCapacities);
        return solver.ToAssignment();
    }

    /// <summary>
    /// Network: need j (supply 1) -> provider p, capacity 1, cost -score; provider p -> sink t, capacity
    /// cap[p], cost 0; need j -> t ("unassigned"), capacity 1, cost 0. Potentials: pi(j) = u[j] (need
    /// profit), pi(p) = -v[p] (provider price), pi(t) = 0, so reduced costs are u[j] + v[p] - score on
    /// need -> provider arcs, score - u[j] - v[p] on the reverse of an assigned edge, -v[p] on p -> t,
    /// u[j] on j -> t. Invariants between steps (reduced-cost optimality of a pseudo-flow):
    /// u, v >= 0; u[j] + v[p] >= score on every candidate, with equality on assigned edges; u[j] = 0
    /// for a settled unassigned need; a provider with room has v[p] = 0, or else v[p] > 0 and its arc
    /// to t is saturated, which leaves it a deficit that the backward phase fills or prices away.
    /// Needs still waiting are excesses that the forward phase routes. When none are left the flow is
    /// feasible and optimal, and u, v are an optimal LP dual.
    /// </summary>
    private sealed class Solver
    {
        private const int ScoreShift = 4;     // the auction works on scores x 16 (prices to 1/16)
        private const int EpsilonDivisor = 5; // auction: epsilon shrinks 5x per phase
        private const int MaxFinalPhases = 4; // auction: extra phases at the final epsilon

        private readonly int _needCount;
        private readonly int _providerCount;
        private readonly int[] _edgeStart;
        private readonly int[] _edgeProvider;
        private readonly int[] _edgeScore;
        private readonly int[] _capacity;
        private readonly int[] _providerDegree;
        private readonly int _maxScore;

        // Primal state. The needs held by provider p occupy slots _slotStart[p] .. _slotStart[p] + _load[p] - 1.
        private readonly int[] _slotStart;
        private readonly int[] _slotNeed;
        private readonly int[] _load;
        private readonly int[] _providerOf;
        private readonly int[] _edgeOf;
        private readonly int[] _slotOf;

        // Dual state (potentials).
        internal readonly long[] Profit;
        internal readonly long[] Price;

        // Shortest-path search state, reset only where touched. Forward: labels on providers, needs are
        // settled with their provider. Backward: labels on needs, providers settled with their first holder.
        private readonly long[] _providerDist;
        private readonly long[] _needDist;
        private readonly int[] _providerLink; // forward: need it was reached from; backward: holder it leaves through
        private readonly int[] _providerEdge; // forward: edge it was reached by
        private readonly int[] _needLink;     // backward: provider the need moves to
        private readonly int[] _needEdge;     // backward: edge it moves along
        private readonly int[] _touchedProviders;
        private int _touchedProviderCount;
        private readonly int[] _touchedNeeds;
        private int _touchedNeedCount;
        private readonly int[] _settledProviders;
        private readonly long[] _settledProviderDist;
        private int _settledProviderCount;
        private readonly int[] _settledNeeds;
        private readonly long[] _settledNeedDist;
        private int _settledNeedCount;
        private ulong[] _heap;
        private int _heapCount;

        // Reverse adjacency (provider -> candidate needs), built only if the backward phase needs it.
        private int[]? _reverseStart;
        private int[]? _reverseEdge;
        private int[]? _edgeNeed;

        private long _sinkDist; private long _catA, _catB, _bids, _fwdScanned, _bwdScanned, _relieves;
        private int _endNeed;
        private int _endProvider;

        public Solver(AssignmentProblem problem)
        {
            _needCount = problem.NeedCount;
            _providerCount = problem.ProviderCount;
            _edgeStart = problem.EdgeStart;
            _edgeProvider = problem.EdgeProvider;
            _edgeScore = problem.EdgeScore;
            _capacity = problem.Capacity;
            _providerDegree = problem.ProviderDegree;
            foreach (var s in _edgeScore)
            {
                _maxScore = Math.Max(_maxScore, s);
            }

            // A provider never holds more needs than it has candidates, whatever its nominal capacity.
            _slotStart = new int[_providerCount + 1];
            for (var p = 0; p < _providerCount; p++)
            {
                _slotStart[p + 1] = _slotStart[p] + Math.Min(_capacity[p], _providerDegree[p]);
            }
            _slotNeed = new int[_slotStart[_providerCount]];
            _load = new int[_providerCount];
            _providerOf = new int[_needCount];
            _edgeOf = new int[_needCount];
            _slotOf = new int[_needCount];
            Array.Fill(_providerOf, -1);
            Array.Fill(_edgeOf, -1);

            Profit = new long[_needCount];
            Price = new long[_providerCount];

            _providerDist = new long[_providerCount];
            Array.Fill(_providerDist, long.MaxValue);
            _needDist = new long[_needCount];
            Array.Fill(_needDist, long.MaxValue);
            _providerLink = new int[_providerCount];
            _providerEdge = new int[_providerCount];
            _needLink = new int[_needCount];
            _needEdge = new int[_needCount];
            _touchedProviders = new int[_providerCount];
            _touchedNeeds = new int[_needCount];
            _settledProviders = new int[_providerCount];
            _settledProviderDist = new long[_providerCount];
            _settledNeeds = new int[_needCount];
            _settledNeedDist = new long[_needCount];
            _heap = new ulong[1024];
        }

        public void Run(AssignmentSolverOptions options)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var order = OrderByBestScore();
            var auctionEdge = options.AuctionWarmStart ? AuctionPrices(order) : null;
            Console.Error.WriteLine($"auction {sw.ElapsedMilliseconds} ms bids {_bids}");
            for (var p = 0; p < _providerCount; p++)
            {
                if (_capacity[p] == 0)
                {
                    Price[p] = _maxScore; // never usable: any price >= its scores keeps the duals feasible
                }
            }

            // Exact duals from the prices: each need's profit is its best margin (0: staying unassigned).
            // Needs then take a provider with a tight edge (margin = profit) and room, the auction's
            // choice first; the rest wait for the forward phase.
            foreach (var j in order)
            {
                long best = 0;
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
                {
                    best = Math.Max(best, _edgeScore[e] - Price[_edgeProvider[e]]);
                }
                Profit[j] = best;
            }
            if (auctionEdge is not null)
            {
                foreach (var j in order)
                {
                    var e = auctionEdge[j];
                    if (e >= 0 && Profit[j] > 0 && _edgeScore[e] - Price[_edgeProvider[e]] == Profit[j])
                    {
                        TryPlace(j, e);
                    }
                }
            }
            var waiting = new List<int>();
            foreach (var j in order)
            {
                if (_providerOf[j] >= 0 || Profit[j] == 0)
                {
                    continue;
                }
                var placed = false;
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1] && !placed; e++)
                {
                    placed = _edgeScore[e] - Price[_edgeProvider[e]] == Profit[j] && TryPlace(j, e);
                }
                if (!placed)
                {
                    if (auctionEdge is not null) { if (auctionEdge[j] >= 0) { _catA++; if (_catA < 5) Console.Error.WriteLine($"need {j} profit {Profit[j]} auction margin {_edgeScore[auctionEdge[j]] - Price[_edgeProvider[auctionEdge[j]]]} "); } else _catB++; }
                    waiting.Add(j);
                }
            }
            int deficits0 = 0; for (var p = 0; p < _providerCount; p++) if (_load[p] < _capacity[p] && Price[p] > 0) deficits0++;
            Console.Error.WriteLine($"greedy {sw.ElapsedMilliseconds} ms waiting {waiting.Count} deficit providers {deficits0} notTight {_catA} optedOut {_catB}");
            foreach (var j in waiting)
            {
                AddNeed(j);
            }
            int deficits = 0; for (var p = 0; p < _providerCount; p++) if (_load[p] < _capacity[p] && Price[p] > 0) deficits++;
            Console.Error.WriteLine($"forward {sw.ElapsedMilliseconds} ms settledNeeds {_fwdScanned} deficit providers {deficits}");
            for (var p = 0; p < _providerCount; p++)
            {
                while (_load[p] < _capacity[p] && Price[p] > 0)
                {
                    RelievePriced(p); _relieves++;
                }
            }
            Console.Error.WriteLine($"backward {sw.ElapsedMilliseconds} ms relieves {_relieves} settledNeeds {_bwdScanned}");
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

        // Needs with candidates, best single score first (ties: lower index). Any order is exact; this
        // one lets strong needs claim providers before weak ones, which keeps later searches short.
        private int[] OrderByBestScore()
        {
            var keys = new List<long>(_needCount);
            for (var j = 0; j < _needCount; j++)
            {
                var best = 0;
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
                {
                    best = Math.Max(best, _edgeScore[e]);
                }
                if (best > 0)
                {
                    keys.Add(((long)(int.MaxValue - best) << 32) | (uint)j);
                }
            }
            var sorted = keys.ToArray();
            Array.Sort(sorted);
            var order = new int[sorted.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                order[i] = (int)(sorted[i] & 0xFFFF_FFFF);
            }
            return order;
        }

        // ---------------------------------------------------------------- phase 1: auction warm start

        /// <summary>
        /// Gauss-Seidel forward auction with epsilon scaling on scores x 16. A provider with capacity c
        /// is c slots, kept as a min-heap on slot price inside its slot range; a need bids for the
        /// cheapest slot of its best provider (raising it by best - second best + epsilon, where opting
        /// out is worth 0), evicting the slot's holder. Only the final prices are kept (rounded down to
        /// whole score units); the exact phases do not rely on the auction's properties, only profit from
        /// how close its prices are.
        /// </summary>
        private int[] AuctionPrices(int[] order)
        {
            var slotCount = _slotStart[_providerCount];
            var slotPrice = new long[slotCount];
            var slotHolder = new int[slotCount];
            var holderSlot = new int[_needCount];
            var holderEdge = new int[_needCount];
            var queue = new int[Math.Max(1, order.Length)];
            Array.Fill(slotHolder, -1);
            Array.Fill(holderSlot, -1);
            var epsilon = Math.Max(1L, ((long)_maxScore << ScoreShift) / 8);
            var finalPhases = 0;
            while (true)
            {
                // Needs that break epsilon-complementary slackness at this epsilon (all, at first) bid
                // again; the others keep their slots. Circular queue: each need is in it at most once.
                var head = 0;
                var count = 0;
                foreach (var j in order)
                {
                    if (!SatisfiesSlackness(j, epsilon, slotPrice, holderSlot, holderEdge))
                    {
                        var slot = holderSlot[j];
                        if (slot >= 0)
                        {
                            slotHolder[slot] = -1;
                            holderSlot[j] = -1;
                        }
                        queue[count++] = j;
                    }
                }
                while (count > 0)
                {
                    var j = queue[head];
                    head = head + 1 == queue.Length ? 0 : head + 1;
                    count--;
                    _bids++;
                    var evicted = Bid(j, epsilon, slotPrice, slotHolder, holderSlot, holderEdge);
                    if (evicted >= 0)
                    {
                        var tail = head + count;
                        queue[tail >= queue.Length ? tail - queue.Length : tail] = evicted;
                        count++;
                    }
                }
                // A slot nobody holds at the end of a phase was not worth its price to anyone: back to 0
                // (forward-only bidding never lowers a price, and a provider with room is worth 0 at the
                // optimum). Without this, prices inflated by a large epsilon would never come down.
                var reset = false;
                for (var p = 0; p < _providerCount; p++)
                {
                    var freed = false;
                    for (var s = _slotStart[p]; s < _slotStart[p + 1]; s++)
                    {
                        if (slotHolder[s] < 0 && slotPrice[s] != 0)
                        {
                            slotPrice[s] = 0;
                            freed = true;
                        }
                    }
                    if (freed)
                    {
                        Heapify(p, slotPrice, slotHolder, holderSlot);
                        reset = true;
                    }
                }
                if (epsilon == 1)
                {
                    // Repeat the last phase while prices were reset (they are then near-consistent), a few
                    // times at most: the exact phases correct whatever is left.
                    if (!reset || ++finalPhases >= MaxFinalPhases)
                    {
                        break;
                    }
                }
                epsilon = Math.Max(1, epsilon / EpsilonDivisor);
            }
            for (var p = 0; p < _providerCount; p++)
            {
                if (_slotStart[p] < _slotStart[p + 1])
                {
                    // Cheapest slot, in whole units; above the best score it only needs to exclude.
                    Price[p] = Math.Min(slotPrice[_slotStart[p]] >> ScoreShift, _maxScore);
                }
            }
            for (var j = 0; j < _needCount; j++)
            {
                if (holderSlot[j] < 0)
                {
                    holderEdge[j] = -1;
                }
            }
            return holderEdge;
        }

        /// <summary>
        /// Whether need j is content at these prices to within epsilon: holding a slot whose margin is at
        /// most epsilon below its best option (opting out is worth 0), or holding none while no option
        /// is worth more than epsilon.
        /// </summary>
        private bool SatisfiesSlackness(int j, long epsilon, long[] slotPrice, int[] holderSlot, int[] holderEdge)
        {
            long best = 0;
            for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
            {
                var p = _edgeProvider[e];
                var root = _slotStart[p];
                if (root < _slotStart[p + 1])
                {
                    best = Math.Max(best, ((long)_edgeScore[e] << ScoreShift) - slotPrice[root]);
                }
            }
            var slot = holderSlot[j];
            var own = slot < 0 ? 0 : ((long)_edgeScore[holderEdge[j]] << ScoreShift) - slotPrice[slot];
            return own >= best - epsilon;
        }

        /// <summary>One bid; returns the need it evicted, or -1.</summary>
        private int Bid(int j, long epsilon, long[] slotPrice, int[] slotHolder, int[] holderSlot, int[] holderEdge)
        {
            var best = long.MinValue;
            var second = 0L; // opting out is worth 0
            var bestProvider = -1;
            var bestEdge = -1;
            for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
            {
                var p = _edgeProvider[e];
                var root = _slotStart[p];
                if (root == _slotStart[p + 1])
                {
                    continue; // capacity 0
                }
                var value = ((long)_edgeScore[e] << ScoreShift) - slotPrice[root];
                if (value > best)
                {
                    second = Math.Max(second, best);
                    best = value;
                    bestProvider = p;
                    bestEdge = e;
                }
                else if (value > second)
                {
                    second = value;
                }
            }
            if (best <= 0)
            {
                return -1; // opts out at these prices
            }
            var slot = _slotStart[bestProvider];
            var evicted = slotHolder[slot];
            if (evicted >= 0)
            {
                holderSlot[evicted] = -1;
            }
            slotHolder[slot] = j;
            holderSlot[j] = slot;
            holderEdge[j] = bestEdge;
            slotPrice[slot] += best - second + epsilon;
            SiftDown(bestProvider, 0, slotPrice, slotHolder, holderSlot);
            return evicted;
        }

        private void Heapify(int p, long[] slotPrice, int[] slotHolder, int[] holderSlot)
        {
            var size = _slotStart[p + 1] - _slotStart[p];
            for (var i = size / 2 - 1; i >= 0; i--)
            {
                SiftDown(p, i, slotPrice, slotHolder, holderSlot);
            }
        }

        private void SiftDown(int p, int i, long[] slotPrice, int[] slotHolder, int[] holderSlot)
        {
            var root = _slotStart[p];
            var size = _slotStart[p + 1] - root;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= size)
                {
                    return;
                }
                if (child + 1 < size && slotPrice[root + child + 1] < slotPrice[root + child])
                {
                    child++;
                }
                if (slotPrice[root + child] >= slotPrice[root + i])
                {
                    return;
                }
                var a = root + i;
                var b = root + child;
                (slotPrice[a], slotPrice[b]) = (slotPrice[b], slotPrice[a]);
                (slotHolder[a], slotHolder[b]) = (slotHolder[b], slotHolder[a]);
                if (slotHolder[a] >= 0)
                {
                    holderSlot[slotHolder[a]] = a;
                }
                if (slotHolder[b] >= 0)
                {
                    holderSlot[slotHolder[b]] = b;
                }
                i = child;
            }
        }

        // ------------------------------------------------------------- phase 2: exact duals, easy needs

        private bool TryPlace(int j, int edge)
        {
            var p = _edgeProvider[edge];
            if (_load[p] >= _capacity[p])
            {
                return false;
            }
            Place(j, p, edge, _slotStart[p] + _load[p]++);
            return true;
        }

        private void Place(int j, int p, int edge, int slot)
        {
            _slotNeed[slot] = j;
            _slotOf[j] = slot;
            _providerOf[j] = p;
            _edgeOf[j] = edge;
        }

        // ------------------------------------------------------- phase 3a: forward shortest paths

        /// <summary>Routes a waiting need's unit: Dijkstra to the nearest provider with room, or to dropping
        /// a need (possibly itself) to "unassigned", whichever is shorter in reduced costs.</summary>
        private void AddNeed(int k)
        {
            long best = 0;
            for (var e = _edgeStart[k]; e < _edgeStart[k + 1]; e++)
            {
                best = Math.Max(best, _edgeScore[e] - Price[_edgeProvider[e]]);
            }
            Profit[k] = best; // prices may have risen since the greedy pass
            if (best == 0)
            {
                return;
            }

            _sinkDist = best; // k's own "unassigned" arc
            _endNeed = k;
            _endProvider = -1;
            ScanForward(k, 0, -1);

            while (_heapCount > 0)
            {
                var top = PopMin();
                var d = (long)(top >> 32);
                var p = (int)(top & 0xFFFF_FFFF);
                if (d != _providerDist[p])
                {
                    continue; // stale entry
                }
                if (d >= _sinkDist)
                {
                    break;
                }
                _providerDist[p] = -1; // settled
                _settledProviders[_settledProviderCount] = p;
                _settledProviderDist[_settledProviderCount++] = d;
                var load = _load[p];
                if (load < _capacity[p])
                {
                    _sinkDist = d; // room: the unit stops here
                    _endProvider = p;
                    _endNeed = -1;
                    break;
                }
                var from = _slotStart[p];
                for (var s = from; s < from + load; s++)
                {
                    ScanForward(_slotNeed[s], d, p); // reverse arcs to its holders, reduced cost 0
                }
            }

            // Potentials: settled nodes move by (sink distance - own distance); prices rise, profits fall.
            var sink = _sinkDist;
            for (var i = 0; i < _settledProviderCount; i++)
            {
                Price[_settledProviders[i]] += sink - _settledProviderDist[i];
            }
            for (var i = 0; i < _settledNeedCount; i++)
            {
                Profit[_settledNeeds[i]] -= sink - _settledNeedDist[i];
            }

            _fwdScanned += _settledNeedCount;
            AugmentForward(k);
            ResetSearch();
        }

        /// <summary>Settles need j at distance d (its only incoming arc is from its provider) and relaxes its arcs.</summary>
        private void ScanForward(int j, long d, int currentProvider)
        {
            _settledNeeds[_settledNeedCount] = j;
            _settledNeedDist[_settledNeedCount++] = d;
            var reach = d + Profit[j];
            if (reach < _sinkDist)
            {
                _sinkDist = reach; // drop j to unassigned, freeing its slot for the path behind it
                _endNeed = j;
                _endProvider = -1;
            }
            var edgeProvider = _edgeProvider;
            var edgeScore = _edgeScore;
            var price = Price;
            var dist = _providerDist;
            for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
            {
                var q = edgeProvider[e];
                var nd = reach + price[q] - edgeScore[e];
                // Settled providers have distance -1 <= nd, so they are skipped here too.
                if (nd < dist[q] && nd < _sinkDist && q != currentProvider)
                {
                    if (dist[q] == long.MaxValue)
                    {
                        _touchedProviders[_touchedProviderCount++] = q;
                    }
                    dist[q] = nd;
                    _providerLink[q] = j;
                    _providerEdge[q] = e;
                    Push(((ulong)nd << 32) | (uint)q);
                }
            }
        }

        private void AugmentForward(int k)
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
                    return; // staying unassigned is best for the new need
                }
                p = _providerOf[dropped];
                slot = _slotOf[dropped];
                _providerOf[dropped] = -1;
                _edgeOf[dropped] = -1;
            }
            while (true)
            {
                var j = _providerLink[p];
                var previousProvider = _providerOf[j];
                var previousSlot = _slotOf[j];
                Place(j, p, _providerEdge[p], slot);
                if (j == k)
                {
                    return;
                }
                p = previousProvider;
                slot = previousSlot;
            }
        }

        // ------------------------------------------------------ phase 3b: backward shortest paths

        /// <summary>
        /// Provider p has room but a positive price (its arc to the sink is saturated: a deficit of one
        /// unit at least). Backward Dijkstra from p over reversed residual arcs to the sink finds the
        /// cheapest way to fill one slot: an unassigned need joins (shifting others along), a need leaves
        /// another provider, or p simply lowers its price to 0 (reverse auction).
        /// </summary>
        private void RelievePriced(int target)
        {
            BuildReverseAdjacency();
            _sinkDist = Price[target]; // t -> target directly: give up the slot, price to 0
            _endProvider = target;
            _endNeed = -1;
            ScanBackward(target, 0, -1);

            while (_heapCount > 0)
            {
                var top = PopMin();
                var d = (long)(top >> 32);
                var j = (int)(top & 0xFFFF_FFFF);
                if (d != _needDist[j])
                {
                    continue;
                }
                if (d >= _sinkDist)
                {
                    break;
                }
                _needDist[j] = -1;
                _settledNeeds[_settledNeedCount] = j;
                _settledNeedDist[_settledNeedCount++] = d;
                var holder = _providerOf[j];
                if (holder < 0)
                {
                    _sinkDist = d; // an unassigned need (profit 0) takes the path
                    _endNeed = j;
                    _endProvider = -1;
                    break;
                }
                if (_providerDist[holder] != -1)
                {
                    ScanBackward(holder, d, j); // j leaves its provider, reduced cost 0
                }
            }

            // Potentials: settled nodes move by (sink distance - own distance); prices fall, profits rise.
            var sink = _sinkDist;
            for (var i = 0; i < _settledProviderCount; i++)
            {
                Price[_settledProviders[i]] -= sink - _settledProviderDist[i];
            }
            for (var i = 0; i < _settledNeedCount; i++)
            {
                Profit[_settledNeeds[i]] += sink - _settledNeedDist[i];
            }

            _bwdScanned += _settledNeedCount;
            AugmentBackward(target);

            // A settled provider's price fell; its other holders were not on the search's frontier, so
            // raise their profits to keep every assigned edge tight (u + v = score). That only raises
            // reduced costs of their other arcs, so the potentials stay valid.
            for (var i = 0; i < _settledProviderCount; i++)
            {
                var q = _settledProviders[i];
                for (var s = _slotStart[q]; s < _slotStart[q] + _load[q]; s++)
                {
                    var h = _slotNeed[s];
                    Profit[h] = _edgeScore[_edgeOf[h]] - Price[q];
                }
            }
            ResetSearch();
        }

        private void ScanBackward(int q, long d, int leavingHolder)
        {
            if (_providerDist[q] == long.MaxValue)
            {
                _touchedProviders[_touchedProviderCount++] = q;
            }
            _providerDist[q] = -1;
            _providerLink[q] = leavingHolder;
            _settledProviders[_settledProviderCount] = q;
            _settledProviderDist[_settledProviderCount++] = d;
            var reach = d + Price[q];
            if (leavingHolder >= 0 && reach < _sinkDist)
            {
                _sinkDist = reach; // t -> q: q gives up the holder's slot and its price drops to 0
                _endProvider = q;
                _endNeed = -1;
            }
            var reverseEdge = _reverseEdge!;
            var edgeNeed = _edgeNeed!;
            var profit = Profit;
            var dist = _needDist;
            var price = Price[q];
            for (var r = _reverseStart![q]; r < _reverseStart[q + 1]; r++)
            {
                var e = reverseEdge[r];
                var j = edgeNeed[e];
                var nd = d + profit[j] + price - _edgeScore[e];
                if (nd < dist[j] && nd < _sinkDist && _providerOf[j] != q)
                {
                    if (dist[j] == long.MaxValue)
                    {
                        _touchedNeeds[_touchedNeedCount++] = j;
                    }
                    dist[j] = nd;
                    _needLink[j] = q;
                    _needEdge[j] = e;
                    Push(((ulong)nd << 32) | (uint)j);
                }
            }
        }

        private void AugmentBackward(int target)
        {
            int mover;
            if (_endProvider >= 0)
            {
                if (_endProvider == target)
                {
                    return; // the target's price is now 0: it keeps its room
                }
                // _endProvider gives up the holder it was reached through (its price is now 0).
                var q = _endProvider;
                mover = _providerLink[q];
                var last = _slotStart[q] + --_load[q];
                var freed = _slotOf[mover];
                if (freed != last)
                {
                    var moved = _slotNeed[last];
                    _slotNeed[freed] = moved;
                    _slotOf[moved] = freed;
                }
            }
            else
            {
                mover = _endNeed; // was unassigned
            }
            while (true)
            {
                var p = _needLink[mover];
                var edge = _needEdge[mover];
                if (p == target)
                {
                    Place(mover, p, edge, _slotStart[p] + _load[p]++);
                    return;
                }
                var leaving = _providerLink[p]; // p's holder that continues the path toward the target
                Place(mover, p, edge, _slotOf[leaving]);
                mover = leaving;
            }
        }

        private void BuildReverseAdjacency()
        {
            if (_reverseStart is not null)
            {
                return;
            }
            var edgeCount = _edgeProvider.Length;
            var start = new int[_providerCount + 1];
            foreach (var p in _edgeProvider)
            {
                start[p + 1]++;
            }
            for (var p = 0; p < _providerCount; p++)
            {
                start[p + 1] += start[p];
            }
            var fill = (int[])start.Clone();
            var reverse = new int[edgeCount];
            var edgeNeed = new int[edgeCount];
            for (var j = 0; j < _needCount; j++)
            {
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
                {
                    edgeNeed[e] = j;
                    reverse[fill[_edgeProvider[e]]++] = e;
                }
            }
            _reverseStart = start;
            _reverseEdge = reverse;
            _edgeNeed = edgeNeed;
        }

        private void ResetSearch()
        {
            for (var i = 0; i < _touchedProviderCount; i++)
            {
                _providerDist[_touchedProviders[i]] = long.MaxValue;
            }
            for (var i = 0; i < _touchedNeedCount; i++)
            {
                _needDist[_touchedNeeds[i]] = long.MaxValue;
            }
            _touchedProviderCount = 0;
            _touchedNeedCount = 0;
            _settledProviderCount = 0;
            _settledNeedCount = 0;
            _heapCount = 0;
        }

        // Binary min-heap of packed (distance << 32 | node) keys: distances stay below 2^32 because
        // only labels below the current sink distance (at most twice the largest score) are pushed.
        private void Push(ulong key)
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

        private ulong PopMin()
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
