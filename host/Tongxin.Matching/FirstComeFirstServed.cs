namespace Tongxin.Matching;

/// <summary>
/// The baseline the optimiser is compared with: needs in index order, each takes its highest-scoring
/// candidate provider that still has free capacity (ties: the lower provider index), or stays
/// unassigned when none has room. Greedy, O(edges), and not optimal in general.
/// </summary>
public static class FirstComeFirstServed
{
    public static Assignment Solve(AssignmentProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var start = problem.EdgeStart;
        var provider = problem.EdgeProvider;
        var score = problem.EdgeScore;
        var remaining = (int[])problem.Capacity.Clone();
        var providerOfNeed = new int[problem.NeedCount];
        var scoreOfNeed = new int[problem.NeedCount];
        for (var j = 0; j < problem.NeedCount; j++)
        {
            var best = -1;
            var bestScore = 0;
            for (var e = start[j]; e < start[j + 1]; e++)
            {
                // Edges are sorted by provider, so strict '>' keeps the lowest index among equal scores.
                if (score[e] > bestScore && remaining[provider[e]] > 0)
                {
                    best = provider[e];
                    bestScore = score[e];
                }
            }
            providerOfNeed[j] = best;
            if (best >= 0)
            {
                remaining[best]--;
                scoreOfNeed[j] = bestScore;
            }
        }
        return Assignment.FromArrays(providerOfNeed, scoreOfNeed);
    }
}
