namespace Tongxin.Matching.Benchmarks;

/// <summary>
/// Generates a synthetic county-shaped instance, deterministically from a seed (own SplitMix64, so the
/// same seed gives the same instance on every runtime). Shared with the test project (linked source).
/// <para>
/// A square county whose area grows with the number of needs (about 50 km x 50 km per 10,000 needs, so
/// the density is the same at every size) holds towns (one per 2,500 needs) and villages (one per 40
/// needs, each attached to its nearest town). Needs sit in villages; each has a service line
/// (tutoring, counselling, holiday activities, caring mother) and an urgency 1-3. Half the providers
/// are town-based organisations (capacity 2-5), half are village volunteers (capacity 1-4); each offers
/// one to three service lines and has a quality 0-40. A provider within <see cref="ReachKm"/> that offers
/// the need's line scores urgency x (60 + quality) x closeness, closeness = 1 / (1 + (distance / 4 km)^2),
/// rounded, at least 1. Each need keeps its best <c>maxCandidates</c> (ties: lower provider index).
/// </para>
/// </summary>
internal static class CountyGenerator
{
    public const double ReachKm = 8.0;
    private const int Lines = 4;

    public sealed record Instance(int NeedCount, int[] Capacities, Candidate[] Candidates);

    public static Instance Generate(int needCount, int providerCount, ulong seed, int maxCandidates = 20)
    {
        var rng = new SplitMix64(seed);
        var side = 50.0 * Math.Sqrt(Math.Max(needCount, 1) / 10000.0);
        var townCount = Math.Max(1, needCount / 2500);
        var villageCount = Math.Max(townCount, needCount / 40);

        var townX = new double[townCount];
        var townY = new double[townCount];
        for (var t = 0; t < townCount; t++)
        {
            townX[t] = rng.NextDouble() * side;
            townY[t] = rng.NextDouble() * side;
        }

        // Villages spread over the county, denser near towns: half uniform, half around a random town.
        var villageX = new double[villageCount];
        var villageY = new double[villageCount];
        var villageWeight = new double[villageCount];
        for (var v = 0; v < villageCount; v++)
        {
            if (rng.NextDouble() < 0.5)
            {
                villageX[v] = rng.NextDouble() * side;
                villageY[v] = rng.NextDouble() * side;
            }
            else
            {
                var t = rng.Next(townCount);
                villageX[v] = Clamp(townX[t] + rng.NextGaussian() * 6.0, side);
                villageY[v] = Clamp(townY[t] + rng.NextGaussian() * 6.0, side);
            }
            villageWeight[v] = 0.2 + rng.NextDouble() * 1.8; // some villages have more left-behind children
        }
        var villageCumulative = Cumulative(villageWeight);

        var needX = new double[needCount];
        var needY = new double[needCount];
        var needLine = new int[needCount];
        var needUrgency = new int[needCount];
        for (var j = 0; j < needCount; j++)
        {
            var v = Pick(villageCumulative, rng.NextDouble());
            needX[j] = Clamp(villageX[v] + rng.NextGaussian() * 0.5, side);
            needY[j] = Clamp(villageY[v] + rng.NextGaussian() * 0.5, side);
            needLine[j] = rng.Next(Lines);
            needUrgency[j] = 1 + rng.Next(3);
        }

        var providerX = new double[providerCount];
        var providerY = new double[providerCount];
        var providerLines = new int[providerCount];
        var providerQuality = new int[providerCount];
        var capacities = new int[providerCount];
        for (var p = 0; p < providerCount; p++)
        {
            if (rng.NextDouble() < 0.5)
            {
                var t = rng.Next(townCount); // town-based organisation or programme
                providerX[p] = Clamp(townX[t] + rng.NextGaussian() * 1.0, side);
                providerY[p] = Clamp(townY[t] + rng.NextGaussian() * 1.0, side);
                capacities[p] = 2 + rng.Next(4);
            }
            else
            {
                var v = Pick(villageCumulative, rng.NextDouble()); // village volunteer
                providerX[p] = Clamp(villageX[v] + rng.NextGaussian() * 0.5, side);
                providerY[p] = Clamp(villageY[v] + rng.NextGaussian() * 0.5, side);
                capacities[p] = 1 + rng.Next(4);
            }
            var lines = 1 << rng.Next(Lines);
            var extra = rng.Next(3);
            for (var i = 0; i < extra; i++)
            {
                lines |= 1 << rng.Next(Lines);
            }
            providerLines[p] = lines;
            providerQuality[p] = rng.Next(41);
        }

        // Grid of cells of size ReachKm: a need looks at its own cell and the 8 around it.
        var cells = Math.Max(1, (int)Math.Ceiling(side / ReachKm));
        var cellStart = new int[cells * cells + 1];
        var cellOf = new int[providerCount];
        for (var p = 0; p < providerCount; p++)
        {
            cellOf[p] = Cell(providerX[p], cells) * cells + Cell(providerY[p], cells);
            cellStart[cellOf[p] + 1]++;
        }
        for (var c = 0; c < cells * cells; c++)
        {
            cellStart[c + 1] += cellStart[c];
        }
        var cellProviders = new int[providerCount];
        var fill = (int[])cellStart.Clone();
        for (var p = 0; p < providerCount; p++)
        {
            cellProviders[fill[cellOf[p]]++] = p; // providers in index order within a cell
        }

        var candidates = new List<Candidate>(needCount * Math.Min(maxCandidates, 20));
        var bestProvider = new int[maxCandidates];
        var bestScore = new int[maxCandidates];
        for (var j = 0; j < needCount; j++)
        {
            var kept = 0;
            var cx = Cell(needX[j], cells);
            var cy = Cell(needY[j], cells);
            var lineBit = 1 << needLine[j];
            for (var gx = Math.Max(0, cx - 1); gx <= Math.Min(cells - 1, cx + 1); gx++)
            {
                for (var gy = Math.Max(0, cy - 1); gy <= Math.Min(cells - 1, cy + 1); gy++)
                {
                    var cell = gx * cells + gy;
                    for (var i = cellStart[cell]; i < cellStart[cell + 1]; i++)
                    {
                        var p = cellProviders[i];
                        if ((providerLines[p] & lineBit) == 0)
                        {
                            continue;
                        }
                        var dx = needX[j] - providerX[p];
                        var dy = needY[j] - providerY[p];
                        var distance2 = dx * dx + dy * dy;
                        if (distance2 > ReachKm * ReachKm)
                        {
                            continue;
                        }
                        var closeness = 1.0 / (1.0 + distance2 / 16.0);
                        var score = Math.Max(1, (int)Math.Round(needUrgency[j] * (60 + providerQuality[p]) * closeness));
                        kept = Keep(bestProvider, bestScore, kept, p, score);
                    }
                }
            }
            for (var i = 0; i < kept; i++)
            {
                candidates.Add(new Candidate(j, bestProvider[i], bestScore[i]));
            }
        }
        return new Instance(needCount, capacities, candidates.ToArray());
    }

    // Keeps the best 'capacity' (score desc, provider asc) in a small sorted array.
    private static int Keep(int[] providers, int[] scores, int kept, int provider, int score)
    {
        var capacity = providers.Length;
        if (capacity == 0)
        {
            return 0;
        }
        if (kept == capacity && !Better(score, provider, scores[kept - 1], providers[kept - 1]))
        {
            return kept;
        }
        var i = kept == capacity ? kept - 1 : kept;
        while (i > 0 && Better(score, provider, scores[i - 1], providers[i - 1]))
        {
            scores[i] = scores[i - 1];
            providers[i] = providers[i - 1];
            i--;
        }
        scores[i] = score;
        providers[i] = provider;
        return kept == capacity ? kept : kept + 1;
    }

    private static bool Better(int score, int provider, int otherScore, int otherProvider) =>
        score > otherScore || (score == otherScore && provider < otherProvider);

    private static int Cell(double coordinate, int cells) =>
        Math.Min(cells - 1, Math.Max(0, (int)(coordinate / ReachKm)));

    private static double Clamp(double value, double side) => Math.Min(side, Math.Max(0, value));

    private static double[] Cumulative(double[] weights)
    {
        var cumulative = new double[weights.Length];
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            cumulative[i] = sum;
        }
        for (var i = 0; i < cumulative.Length; i++)
        {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    private static int Pick(double[] cumulative, double u)
    {
        var i = Array.BinarySearch(cumulative, u);
        i = i < 0 ? ~i : i;
        return Math.Min(i, cumulative.Length - 1);
    }

    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong NextUInt64()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        public int Next(int exclusiveMax) => (int)(NextUInt64() % (ulong)exclusiveMax);

        public double NextGaussian()
        {
            var u1 = 1.0 - NextDouble();
            var u2 = NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
