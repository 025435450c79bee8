using static Tongxin.Matching.Tests.Support;

namespace Tongxin.Matching.Tests;

public class HandMadeCasesTests
{
    [Fact]
    public void OptimumMovesTheFirstNeedToItsSecondChoiceWhereFirstComeFirstServedStrandsTheSecondNeed()
    {
        // Need 0 likes p0 (10) a bit more than p1 (9); need 1 can only use p0 (10). One slot each.
        var problem = Problem(2, [1, 1], (0, 0, 10), (0, 1, 9), (1, 0, 10));

        var optimal = AssignmentSolver.Solve(problem, out var certificate);
        var greedy = FirstComeFirstServed.Solve(problem);

        Assert.Equal([1, 0], optimal.ProviderOfNeed);
        Assert.Equal(19, optimal.TotalScore);
        Assert.Equal(2, optimal.AssignedCount);
        Assert.Equal([0, -1], greedy.ProviderOfNeed);
        Assert.Equal(10, greedy.TotalScore);
        AssertCertifiedOptimal(problem, optimal, certificate);
    }

    [Fact]
    public void BindingCapacityKeepsTheHighestScoringNeedsAndLeavesTheRestUnassigned()
    {
        var problem = Problem(4, [2], (0, 0, 5), (1, 0, 7), (2, 0, 6), (3, 0, 1));

        var result = AssignmentSolver.Solve(problem, out var certificate);

        Assert.Equal([-1, 0, 0, -1], result.ProviderOfNeed);
        Assert.Equal(13, result.TotalScore);
        Assert.Equal(2, result.AssignedCount);
        AssertCertifiedOptimal(problem, result, certificate);
    }

    [Fact]
    public void CapacityAboveOneLetsAProviderTakeSeveralNeeds()
    {
        var problem = Problem(3, [3, 1], (0, 0, 4), (1, 0, 4), (2, 0, 4), (2, 1, 3));

        var result = AssignmentSolver.Solve(problem);

        Assert.Equal([0, 0, 0], result.ProviderOfNeed);
        Assert.Equal(12, result.TotalScore);
    }

    [Fact]
    public void NeedWithoutCandidatesStaysUnassigned()
    {
        var problem = Problem(3, [1, 1], (0, 0, 3), (2, 1, 4));

        var result = AssignmentSolver.Solve(problem, out var certificate);

        Assert.Equal([0, -1, 1], result.ProviderOfNeed);
        Assert.Equal(7, result.TotalScore);
        AssertCertifiedOptimal(problem, result, certificate);
    }

    [Fact]
    public void ProviderWithCapacityZeroIsNeverUsedEvenForItsBestScores()
    {
        var problem = Problem(2, [0, 1], (0, 0, 100), (0, 1, 2), (1, 0, 100), (1, 1, 3));

        var result = AssignmentSolver.Solve(problem, out var certificate);

        Assert.Equal([-1, 1], result.ProviderOfNeed);
        Assert.Equal(3, result.TotalScore);
        AssertCertifiedOptimal(problem, result, certificate);
        Assert.Equal([1, -1], FirstComeFirstServed.Solve(problem).ProviderOfNeed);
    }

    [Fact]
    public void WeakerNeedGivesWayWhenAStrongerOneNeedsItsOnlyProvider()
    {
        // Need 0 (index first) could take p0 for 2; need 1 can only take p0, for 9. One slot.
        var problem = Problem(2, [1], (0, 0, 2), (1, 0, 9));

        var result = AssignmentSolver.Solve(problem);

        Assert.Equal([-1, 0], result.ProviderOfNeed);
        Assert.Equal(9, result.TotalScore);
        Assert.Equal(2, FirstComeFirstServed.Solve(problem).TotalScore);
    }

    [Fact]
    public void ChainOfMovesFreesAProviderForANewNeed()
    {
        // Best total needs everybody to shift: 0->p1, 1->p2, 2->p0 (3 + 3 + 5 = 11).
        var problem = Problem(3, [1, 1, 1],
            (0, 0, 4), (0, 1, 3),
            (1, 1, 4), (1, 2, 3),
            (2, 0, 5));

        var result = AssignmentSolver.Solve(problem, out var certificate);

        Assert.Equal([1, 2, 0], result.ProviderOfNeed);
        Assert.Equal(11, result.TotalScore);
        AssertCertifiedOptimal(problem, result, certificate);
    }

    [Fact]
    public void EqualScoresGiveAnOptimalAnswerThatIsTheSameOnEveryRun()
    {
        var problem = Problem(4, [1, 1, 1], (0, 0, 5), (0, 1, 5), (1, 0, 5), (1, 2, 5), (2, 1, 5), (2, 2, 5), (3, 0, 5), (3, 1, 5));

        var first = AssignmentSolver.Solve(problem);
        var second = AssignmentSolver.Solve(problem);
        var rebuilt = AssignmentSolver.Solve(Problem(4, [1, 1, 1], (0, 0, 5), (0, 1, 5), (1, 0, 5), (1, 2, 5), (2, 1, 5), (2, 2, 5), (3, 0, 5), (3, 1, 5)));

        Assert.Equal(15, first.TotalScore);
        Assert.Equal(first.ProviderOfNeed, second.ProviderOfNeed);
        Assert.Equal(first.ProviderOfNeed, rebuilt.ProviderOfNeed);
        AssertFeasible(problem, first);
    }

    [Fact]
    public void FirstComeFirstServedBreaksEqualScoresByTheLowerProviderIndex()
    {
        var problem = Problem(2, [1, 1], (0, 1, 5), (0, 0, 5), (1, 0, 5), (1, 1, 5));

        var result = FirstComeFirstServed.Solve(problem);

        Assert.Equal([0, 1], result.ProviderOfNeed);
    }

    [Fact]
    public void EmptyProblemHasAnEmptyAssignment()
    {
        var result = AssignmentSolver.Solve(new AssignmentProblem(0, [], []));

        Assert.Empty(result.ProviderOfNeed);
        Assert.Equal(0, result.TotalScore);
        Assert.Equal(0, result.AssignedCount);
    }

    [Fact]
    public void CapacityLargerThanTheCandidatesIsHarmless()
    {
        var problem = Problem(2, [int.MaxValue], (0, 0, 3), (1, 0, 4));

        var result = AssignmentSolver.Solve(problem, out var certificate);

        Assert.Equal([0, 0], result.ProviderOfNeed);
        Assert.Equal(7, result.TotalScore);
        AssertCertifiedOptimal(problem, result, certificate);
    }

    [Fact]
    public void VeryLargeScoresDoNotOverflow()
    {
        var problem = Problem(3, [1, 1], (0, 0, int.MaxValue), (0, 1, int.MaxValue - 1), (1, 0, int.MaxValue), (2, 1, int.MaxValue));

        var result = AssignmentSolver.Solve(problem, out var certificate);

        Assert.Equal(2L * int.MaxValue, result.TotalScore);
        AssertFeasible(problem, result);
        AssertCertifiedOptimal(problem, result, certificate);
    }

    [Fact]
    public void ProblemKeepsACopyOfItsInputs()
    {
        var capacities = new[] { 1 };
        var candidates = new[] { new Candidate(0, 0, 3) };
        var problem = new AssignmentProblem(1, capacities, candidates);

        capacities[0] = 0;
        candidates[0] = new Candidate(0, 0, 1);

        Assert.Equal([1], problem.ProviderCapacities);
        Assert.Equal(new Candidate(0, 0, 3), problem.Candidates.Span[0]);
        Assert.Equal(3, AssignmentSolver.Solve(problem).TotalScore);
    }
}
