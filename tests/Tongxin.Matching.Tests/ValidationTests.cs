namespace Tongxin.Matching.Tests;

public class ValidationTests
{
    [Fact]
    public void CandidateWithNeedOutOfRangeIsRejectedNamingTheCandidate()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(2, [1], [new(0, 0, 1), new(2, 0, 1)]));

        Assert.Equal("candidates", error.ParamName);
        Assert.Contains("Candidate 1", error.Message);
        Assert.Contains("need 2", error.Message);
    }

    [Fact]
    public void CandidateWithNegativeNeedIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(2, [1], [new(-1, 0, 1)]));

        Assert.Contains("need -1", error.Message);
    }

    [Fact]
    public void CandidateWithProviderOutOfRangeIsRejectedNamingTheProvider()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(1, [1, 1], [new(0, 2, 1)]));

        Assert.Contains("provider 2", error.Message);
        Assert.Contains("provider count 2", error.Message);
    }

    [Fact]
    public void NegativeCapacityIsRejectedNamingTheProvider()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(1, [1, -1], []));

        Assert.Equal("providerCapacities", error.ParamName);
        Assert.Contains("Provider 1", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ScoreBelowOneIsRejected(int score)
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(1, [1], [new(0, 0, score)]));

        Assert.Contains($"score {score}", error.Message);
    }

    [Fact]
    public void DuplicateNeedProviderPairIsRejectedNamingBothCandidates()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new AssignmentProblem(2, [1, 1], [new(0, 1, 3), new(1, 1, 2), new(0, 1, 5)]));

        Assert.Contains("Candidates 0 and 2", error.Message);
        Assert.Contains("need 0", error.Message);
        Assert.Contains("provider 1", error.Message);
    }

    [Fact]
    public void NegativeNeedCountIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AssignmentProblem(-1, [], []));
    }

    [Fact]
    public void MissingArraysAreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => new AssignmentProblem(0, null!, []));
        Assert.Throws<ArgumentNullException>(() => new AssignmentProblem(0, [], null!));
        Assert.Throws<ArgumentNullException>(() => AssignmentSolver.Solve(null!));
        Assert.Throws<ArgumentNullException>(() => FirstComeFirstServed.Solve(null!));
        Assert.Throws<ArgumentNullException>(() => DimacsWriter.Write(null!, TextWriter.Null));
    }
}
