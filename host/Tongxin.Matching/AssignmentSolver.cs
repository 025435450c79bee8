namespace Tongxin.Matching;

/// <summary>Tuning switches for <see cref="AssignmentSolver"/>; the defaults are what production uses.</summary>
public sealed record AssignmentSolverOptions
{
    /// <summary>
    /// Solve a sequence of problems with the scores' leading bits first, each warm-starting the next
    /// (default). When false, one pass of successive shortest paths on the full scores. Both give the
    /// same optimum; scaling keeps every search short on hard, tie-rich or uniformly random instances.
    /// </summary>
    public bool CostScaling { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static AssignmentSolverOptions Default { get; } = new();
}

/// <summary>
/// Exact maximum-score assignment of needs to providers (bipartite b-matching in which a need may stay
/// unassigned), solved as a minimum-cost flow by primal-dual successive shortest paths with bit
/// scaling of the scores:
/// <list type="bullet">
/// <item>Phase k solves the problem with scores <c>score &gt;&gt; (B - k)</c> (B = bit length of the largest
/// score) exactly, so the last phase solves the real problem.</item>
/// <item>Each phase starts from the previous phase's optimal duals doubled (provider prices v, need
/// profits u recomputed as each need's best margin) and keeps every assignment that is still tight.
/// The few needs left waiting and the few providers left with room but a positive price are then
/// settled by Dijkstra searches on non-negative reduced costs (Johnson potentials = the duals) that stop
/// as soon as the sink's distance is known: forward from a waiting need, backward from a priced provider.</item>
/// </list>
/// Because the doubled duals are within one unit of optimal on every edge, searches stay small; the
/// cost of a phase is close to one pass over the edges. The result comes with an
/// <see cref="OptimalityCertificate"/> (the final duals). Deterministic (fixed orders, ties by index),
/// single-threaded, compact int/long arrays only. See README.md.
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
        solver.Run(options.CostScaling);
        certificate = new OptimalityCertificate(solver.Profit, solver.Price, problem.ProviderCapacities);
        return solver.ToAssignment();
    }

    /// <summary>
    /// Network: need j (supply 1) -> provider p, capacity 1, cost -score; provider p -> sink t, capacity
    /// cap[p], cost 0; need j -> t ("unassigned"), capacity 1, cost 0. Potentials: pi(j) = u[j] (need
    /// profit), pi(p) = -v[p] (provider price), pi(t) = 0, so reduced costs are u[j] + v[p] - score on
    /// need -> provider arcs, score - u[j] - v[p] on the reverse of an assigned edge, -v[p] on p -> t,
    /// u[j] on j -> t. Invariants between searches (reduced-cost optimality of a pseudo-flow, plus
    /// tightness): u, v >= 0; u[j] + v[p] >= score on every candidate, with equality on assigned edges;
    /// u[j] = 0 for a settled unassigned need; a provider with room has v[p] = 0, or else v[p] > 0 and its
    /// arc to t counts as saturated, a deficit that a backward search fills or prices away. Waiting needs
    /// are excesses that forward searches route. With none of either left the flow is feasible and
    /// optimal, and u, v are an optimal LP dual: the certificate.
    /// </summary>
    private sealed class Solver
    {
        private readonly int _needCount;
        private readonly int _providerCount;
        private readonly int[] _edgeStart;
        private readonly int[] _edgeProvider;
        private readonly int[] _edgeScore;
        private readonly int[] _score; // the current phase's scores
        private readonly int[] _capacity;
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

        // Search state, reset only where touched. Forward: labels on providers, needs settled with their
        // provider. Backward: labels on needs, providers settled with their first holder.
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

        // Reverse adjacency (provider -> candidate edges), built when a backward search first needs it.
        private int[]? _reverseStart;
        private int[]? _reverseEdge;
        private int[]? _edgeNeed;

        private long _sinkDist;
        private int _endNeed;
        private int _endProvider;

        public Solver(AssignmentProblem problem)
        {
            _needCount = problem.NeedCount;
            _providerCount = problem.ProviderCount;
            _edgeStart = problem.EdgeStart;
            _edgeProvider = problem.EdgeProvider;
            _edgeScore = problem.EdgeScore;
            _score = new int[_edgeScore.Length];
            _capacity = problem.Capacity;
            foreach (var s in _edgeScore)
            {
                _maxScore = Math.Max(_maxScore, s);
            }

            // A provider never holds more needs than it has candidates, whatever its nominal capacity.
            _slotStart = new int[_providerCount + 1];
            for (var p = 0; p < _providerCount; p++)
            {
                _slotStart[p + 1] = _slotStart[p] + Math.Min(_capacity[p], problem.ProviderDegree[p]);
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

        public void Run(bool costScaling)
        {
            var order = OrderByBestScore();
            var bits = 0;
            while (bits < 31 && (_maxScore >> bits) > 0)
            {
                bits++;
            }
            for (var shift = costScaling ? bits - 1 : 0; shift >= 0; shift--)
            {
                for (var e = 0; e < _score.Length; e++)
                {
                    _score[e] = _edgeScore[e] >> shift;
                }
                var phaseMax = _maxScore >> shift;
                for (var p = 0; p < _providerCount; p++)
                {
                    // Scores doubled (plus a bit): prices doubled stay near-optimal. A provider with
                    // capacity 0 just needs a price no score exceeds.
                    Price[p] = _capacity[p] == 0 ? phaseMax : Math.Min(2 * Price[p], phaseMax);
                }
                SolvePhase(order);
            }
        }

        /// <summary>
        /// Restores the invariants for the current scores and prices, keeping what it can, then settles
        /// every waiting need (forward searches) and every provider with room and a positive price
        /// (backward searches). Afterwards the phase's problem is solved exactly.
        /// </summary>
        private void SolvePhase(int[] order)
        {
            var waiting = new List<int>();
            foreach (var j in order)
            {
                long best = 0;
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1]; e++)
                {
                    best = Math.Max(best, _score[e] - Price[_edgeProvider[e]]);
                }
                Profit[j] = best;
                var edge = _edgeOf[j];
                if (edge >= 0 && (best == 0 || _score[edge] - Price[_edgeProvider[edge]] != best))
                {
                    Unassign(j); // no longer tight: it waits (or, at profit 0, stays out)
                }
            }
            foreach (var j in order)
            {
                if (_edgeOf[j] >= 0 || Profit[j] == 0)
                {
                    continue;
                }
                var placed = false;
                for (var e = _edgeStart[j]; e < _edgeStart[j + 1] && !placed; e++)
                {
                    if (_score[e] - Price[_edgeProvider[e]] == Profit[j])
                    {
                        placed = TryPlace(j, e);
                    }
                }
                if (!placed)
                {
                    waiting.Add(j);
                }
            }
            foreach (var j in waiting)
            {
                AddNeed(j);
            }
            for (var p = 0; p < _providerCount; p++)
            {
                while (_load[p] < _capacity[p] && Price[p] > 0)
                {
                    RelievePriced(p);
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

        /// <summary>Takes need j off its provider, compacting the provider's slots.</summary>
        private void Unassign(int j)
        {
            var p = _providerOf[j];
            var last = _slotStart[p] + --_load[p];
            var freed = _slotOf[j];
            if (freed != last)
            {
                var moved = _slotNeed[last];
                _slotNeed[freed] = moved;
                _slotOf[moved] = freed;
            }
            _providerOf[j] = -1;
            _edgeOf[j] = -1;
        }

        // ---------------------------------------------------------------- forward shortest paths

        /// <summary>Routes a waiting need's unit: Dijkstra to the nearest provider with room, or to dropping
        /// a need (possibly itself) to "unassigned", whichever is shorter in reduced costs.</summary>
        private void AddNeed(int k)
        {
            long best = 0;
            for (var e = _edgeStart[k]; e < _edgeStart[k + 1]; e++)
            {
                best = Math.Max(best, _score[e] - Price[_edgeProvider[e]]);
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
            var edgeScore = _score;
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

        // --------------------------------------------------------------- backward shortest paths

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
                    Profit[h] = _score[_edgeOf[h]] - Price[q];
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
                var nd = d + profit[j] + price - _score[e];
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
                mover = _providerLink[_endProvider];
                Unassign(mover);
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
