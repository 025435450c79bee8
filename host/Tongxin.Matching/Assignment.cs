using System.Collections.ObjectModel;

namespace Tongxin.Matching;

/// <summary>The result of solving an <see cref="AssignmentProblem"/>.</summary>
public sealed class Assignment
{
    internal Assignment(int[] providerOfNeed, long totalScore, int assignedCount)
    {
        ProviderOfNeed = Array.AsReadOnly(providerOfNeed);
        TotalScore = totalScore;
        AssignedCount = assignedCount;
    }

    /// <summary>For each need, the provider it is assigned to, or -1 when it is left unassigned.</summary>
    public IReadOnlyList<int> ProviderOfNeed { get; }

    /// <summary>The sum of the scores of the chosen candidate edges (the objective).</summary>
    public long TotalScore { get; }

    /// <summary>How many needs got a provider.</summary>
    public int AssignedCount { get; }

    internal static Assignment FromArrays(int[] providerOfNeed, int[] scoreOfNeed)
    {
        long total = 0;
        var assigned = 0;
        for (var j = 0; j < providerOfNeed.Length; j++)
        {
            if (providerOfNeed[j] >= 0)
            {
                total += scoreOfNeed[j];
                assigned++;
            }
        }
        return new Assignment(providerOfNeed, total, assigned);
    }
}

/// <summary>
/// A dual solution that proves an <see cref="Assignment"/> optimal (linear-programming duality):
/// every value is non-negative, <c>NeedProfit[need] + ProviderPrice[provider] &gt;= score</c> holds for
/// every candidate, and <see cref="DualObjective"/> = sum of profits + sum of capacity x price equals the
/// assignment's total score. Any feasible assignment scores at most the dual objective, so an assignment
/// that reaches it is optimal. Anyone can check this without trusting the solver.
/// </summary>
public sealed class OptimalityCertificate
{
    internal OptimalityCertificate(long[] needProfit, long[] providerPrice, IReadOnlyList<int> capacities)
    {
        NeedProfit = Array.AsReadOnly(needProfit);
        ProviderPrice = Array.AsReadOnly(providerPrice);
        long dual = 0;
        foreach (var u in needProfit)
        {
            dual += u;
        }
        for (var p = 0; p < providerPrice.Length; p++)
        {
            dual += providerPrice[p] * capacities[p];
        }
        DualObjective = dual;
    }

    /// <summary>Dual value of each need's "at most one provider" constraint (what the need gains).</summary>
    public ReadOnlyCollection<long> NeedProfit { get; }

    /// <summary>Dual value of each provider's capacity constraint (its shadow price; 0 when it has room left).</summary>
    public ReadOnlyCollection<long> ProviderPrice { get; }

    /// <summary>Sum of need profits plus sum over providers of capacity times price.</summary>
    public long DualObjective { get; }
}
