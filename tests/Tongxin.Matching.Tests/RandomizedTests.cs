using static Tongxin.Matching.Tests.Support;

namespace Tongxin.Matching.Tests;

public class RandomizedTests
{
    public static TheoryData<int> TinySeeds() => [.. Enumerable.Range(1, 60)];

    public static TheoryData<int, int, int, int, int, int> MediumInstances() => new()
    {
        // seed, needs, providers, max capacity, max candidates per need, max score
        { 101, 200, 60, 4, 6, 100 },
        { 102, 300, 100, 3, 8, 1000 },
        { 103, 300, 300, 1, 5, 20 },    // one slot each: classic assignment shape
        { 104, 400, 50, 5, 10, 5 },     // few score levels: many ties
        { 105, 250, 120, 2, 4, 1 },     // all scores equal: maximum cardinality
        { 106, 500, 170, 5, 12, 1000 }, // capacity tight, about needs / 3 providers
        { 107, 300, 40, 0, 6, 50 },     // many providers with capacity 0
        { 108, 600, 200, 3, 20, 300 },
    };

    [Theory]
    [MemberData(nameof(TinySeeds))]
    public void TinyInstancesReachTheBruteForceOptimum(int seed)
    {
        var (needs, capacities, candidates) = RandomInstance(seed, needs: 2 + seed % 6, providers: 1 + seed % 4, maxCapacity: 2, maxDegree: 3, maxScore: 6);
        var problem = new AssignmentProblem(needs, capacities, candidates);

        var result = AssignmentSolver.Solve(problem, out var certificate);
        var bruteForce = BruteForceOptimum(needs, capacities, candidates);
        var reference = ReferenceMinCostFlow.SolveAssignment(needs, capacities, candidates);

        Assert.Equal(bruteForce, reference.TotalScore); // the independent solver is right too
        Assert.Equal(bruteForce, result.TotalScore);
        AssertFeasible(problem, result);
        AssertCertifiedOptimal(problem, result, certificate);
        Assert.True(FirstComeFirstServed.Solve(problem).TotalScore <= result.TotalScore);
    }

    [Theory]
    [MemberData(nameof(MediumInstances))]
    public void MediumInstancesMatchTheIndependentMinCostFlowSolver(int seed, int needs, int providers, int maxCapacity, int maxDegree, int maxScore)
    {
        var (n, capacities, candidates) = RandomInstance(seed, needs, providers, maxCapacity, maxDegree, maxScore);
        var problem = new AssignmentProblem(n, capacities, candidates);

        var result = AssignmentSolver.Solve(problem, out var certificate);
        var reference = ReferenceMinCostFlow.SolveAssignment(n, capacities, candidates);

        Assert.Equal(reference.TotalScore, result.TotalScore);
        AssertFeasible(problem, result);
        AssertCertifiedOptimal(problem, result, certificate);
        var greedy = FirstComeFirstServed.Solve(problem);
        AssertFeasible(problem, greedy);
        Assert.True(greedy.TotalScore <= result.TotalScore);
    }

    [Fact]
    public void ReferenceSolverAssignmentIsItselfFeasibleAndScoresItsTotal()
    {
        var (n, capacities, candidates) = RandomInstance(7, 200, 70, 3, 6, 100);
        var problem = new AssignmentProblem(n, capacities, candidates);

        var (total, providerOfNeed) = ReferenceMinCostFlow.SolveAssignment(n, capacities, candidates);

        var load = new int[capacities.Length];
        long sum = 0;
        for (var j = 0; j < n; j++)
        {
            if (providerOfNeed[j] >= 0)
            {
                load[providerOfNeed[j]]++;
                sum += candidates.Single(c => c.Need == j && c.Provider == providerOfNeed[j]).Score;
            }
        }
        Assert.Equal(total, sum);
        Assert.All(Enumerable.Range(0, capacities.Length), p => Assert.True(load[p] <= capacities[p]));
        Assert.Equal(total, AssignmentSolver.Solve(problem).TotalScore);
    }

    [Fact]
    public void SameInputInADifferentCandidateOrderGivesTheSameAssignment()
    {
        var (n, capacities, candidates) = RandomInstance(11, 300, 90, 3, 8, 10);
        var reversed = candidates.Reverse().ToArray();

        var a = AssignmentSolver.Solve(new AssignmentProblem(n, capacities, candidates));
        var b = AssignmentSolver.Solve(new AssignmentProblem(n, capacities, reversed));

        Assert.Equal(a.ProviderOfNeed, b.ProviderOfNeed);
        Assert.Equal(a.TotalScore, b.TotalScore);
    }
}
