namespace Tongxin.Matching.Tests;

internal static class Support
{
    public static AssignmentProblem Problem(int needs, int[] capacities, params (int Need, int Provider, int Score)[] edges) =>
        new(needs, capacities, edges.Select(e => new Candidate(e.Need, e.Provider, e.Score)).ToArray());

    /// <summary>
    /// Asserts the assignment is feasible for the problem: only candidate edges, at most one provider per
    /// need (by construction), capacities respected, TotalScore and AssignedCount match the chosen edges.
    /// </summary>
    public static void AssertFeasible(AssignmentProblem problem, Assignment assignment)
    {
        Assert.Equal(problem.NeedCount, assignment.ProviderOfNeed.Count);
        var score = new Dictionary<(int, int), int>();
        foreach (var c in problem.Candidates.Span)
        {
            score[(c.Need, c.Provider)] = c.Score;
        }
        var load = new int[problem.ProviderCount];
        long total = 0;
        var assigned = 0;
        for (var j = 0; j < problem.NeedCount; j++)
        {
            var p = assignment.ProviderOfNeed[j];
            if (p == -1)
            {
                continue;
            }
            Assert.True(score.TryGetValue((j, p), out var s), $"need {j} was given provider {p} without a candidate edge");
            load[p]++;
            total += s;
            assigned++;
        }
        for (var p = 0; p < problem.ProviderCount; p++)
        {
            Assert.True(load[p] <= problem.ProviderCapacities[p], $"provider {p} holds {load[p]} needs, capacity {problem.ProviderCapacities[p]}");
        }
        Assert.Equal(total, assignment.TotalScore);
        Assert.Equal(assigned, assignment.AssignedCount);
    }

    /// <summary>
    /// Checks the certificate by LP weak duality, independently of how it was computed: non-negative,
    /// covers every candidate (profit + price >= score), and its objective equals the assignment's total.
    /// </summary>
    public static void AssertCertifiedOptimal(AssignmentProblem problem, Assignment assignment, OptimalityCertificate certificate)
    {
        Assert.All(certificate.NeedProfit, u => Assert.True(u >= 0));
        Assert.All(certificate.ProviderPrice, v => Assert.True(v >= 0));
        foreach (var c in problem.Candidates.Span)
        {
            Assert.True(certificate.NeedProfit[c.Need] + certificate.ProviderPrice[c.Provider] >= c.Score,
                $"dual infeasible on need {c.Need}, provider {c.Provider}");
        }
        long dual = certificate.NeedProfit.Sum();
        for (var p = 0; p < problem.ProviderCount; p++)
        {
            dual += certificate.ProviderPrice[p] * problem.ProviderCapacities[p];
        }
        Assert.Equal(dual, certificate.DualObjective);
        Assert.Equal(assignment.TotalScore, dual);
    }

    /// <summary>Exhaustive search over every need's choice (a candidate or nothing); tiny instances only.</summary>
    public static long BruteForceOptimum(int needs, int[] capacities, Candidate[] candidates)
    {
        var options = Enumerable.Range(0, needs).Select(j => candidates.Where(c => c.Need == j).ToArray()).ToArray();
        var load = new int[capacities.Length];
        long best = 0;
        void Visit(int j, long total)
        {
            if (j == needs)
            {
                best = Math.Max(best, total);
                return;
            }
            Visit(j + 1, total);
            foreach (var c in options[j])
            {
                if (load[c.Provider] < capacities[c.Provider])
                {
                    load[c.Provider]++;
                    Visit(j + 1, total + c.Score);
                    load[c.Provider]--;
                }
            }
        }
        Visit(0, 0);
        return best;
    }

    /// <summary>Random instance: each need gets up to maxDegree distinct providers with scores 1..maxScore.</summary>
    public static (int Needs, int[] Capacities, Candidate[] Candidates) RandomInstance(
        int seed, int needs, int providers, int maxCapacity, int maxDegree, int maxScore)
    {
        var random = new Random(seed);
        var capacities = Enumerable.Range(0, providers).Select(_ => random.Next(maxCapacity + 1)).ToArray();
        var candidates = new List<Candidate>();
        for (var j = 0; j < needs; j++)
        {
            var degree = random.Next(maxDegree + 1);
            var chosen = new HashSet<int>();
            while (chosen.Count < Math.Min(degree, providers))
            {
                chosen.Add(random.Next(providers));
            }
            foreach (var p in chosen)
            {
                candidates.Add(new Candidate(j, p, 1 + random.Next(maxScore)));
            }
        }
        // Shuffle so that the library cannot rely on any input order.
        var array = candidates.ToArray();
        random.Shuffle(array);
        return (needs, capacities, array);
    }
}
