using Tongxin.Matching.Benchmarks;
using static Tongxin.Matching.Tests.Support;

namespace Tongxin.Matching.Tests;

public class CountyInstanceTests
{
    [Fact]
    public void CountyOf2000NeedsAnd600ProvidersReachesTheIndependentOptimumAndBeatsFirstComeFirstServed()
    {
        var instance = CountyGenerator.Generate(needCount: 2000, providerCount: 600, seed: 42);
        var problem = new AssignmentProblem(instance.NeedCount, instance.Capacities, instance.Candidates);
        Assert.InRange(problem.CandidateCount, 10_000, 40_000);
        Assert.InRange(instance.Capacities.Sum(), 1_500, 2_100);

        var result = AssignmentSolver.Solve(problem, out var certificate);
        var reference = ReferenceMinCostFlow.SolveAssignment(instance.NeedCount, instance.Capacities, instance.Candidates);
        var greedy = FirstComeFirstServed.Solve(problem);

        Assert.Equal(reference.TotalScore, result.TotalScore);
        AssertFeasible(problem, result);
        AssertCertifiedOptimal(problem, result, certificate);
        AssertFeasible(problem, greedy);
        Assert.True(result.TotalScore > greedy.TotalScore, $"optimum {result.TotalScore} should beat FCFS {greedy.TotalScore}");
    }

    [Fact]
    public void CountyGeneratorIsDeterministicAndKeepsAtMost20BestCandidatesPerNeed()
    {
        var a = CountyGenerator.Generate(3000, 1000, seed: 5);
        var b = CountyGenerator.Generate(3000, 1000, seed: 5);
        var c = CountyGenerator.Generate(3000, 1000, seed: 6);

        Assert.Equal(a.Capacities, b.Capacities);
        Assert.Equal(a.Candidates, b.Candidates);
        Assert.NotEqual(a.Candidates, c.Candidates);
        Assert.All(a.Candidates.GroupBy(x => x.Need), g => Assert.True(g.Count() <= 20));
        Assert.All(a.Capacities, cap => Assert.InRange(cap, 1, 5));
        Assert.All(a.Candidates, x => Assert.True(x.Score >= 1));
    }

    [Fact]
    public void SolvingTheCountyTwiceGivesTheIdenticalAssignment()
    {
        var instance = CountyGenerator.Generate(2000, 600, seed: 9);
        var problem = new AssignmentProblem(instance.NeedCount, instance.Capacities, instance.Candidates);

        Assert.Equal(AssignmentSolver.Solve(problem).ProviderOfNeed, AssignmentSolver.Solve(problem).ProviderOfNeed);
    }
}
