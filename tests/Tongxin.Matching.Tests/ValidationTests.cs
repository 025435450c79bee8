namespace Tongxin.Matching.Tests;

public class ValidationTests
{
    [Fact]
    public void Candidate_with_need_out_of_range_is_rejected_naming_the_candidate()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(2, [1], [new(0, 0, 1), new(2, 0, 1)]));

        Assert.Equal("candidates", error.ParamName);
        Assert.Contains("Candidate 1", error.Message);
        Assert.Contains("need 2", error.Message);
    }

    [Fact]
    public void Candidate_with_negative_need_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(2, [1], [new(-1, 0, 1)]));

        Assert.Contains("need -1", error.Message);
    }

    [Fact]
    public void Candidate_with_provider_out_of_range_is_rejected_naming_the_provider()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(1, [1, 1], [new(0, 2, 1)]));

        Assert.Contains("provider 2", error.Message);
        Assert.Contains("provider count 2", error.Message);
    }

    [Fact]
    public void Negative_capacity_is_rejected_naming_the_provider()
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(1, [1, -1], []));

        Assert.Equal("providerCapacities", error.ParamName);
        Assert.Contains("Provider 1", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Score_below_one_is_rejected(int score)
    {
        var error = Assert.Throws<ArgumentException>(() => new AssignmentProblem(1, [1], [new(0, 0, score)]));

        Assert.Contains($"score {score}", error.Message);
    }

    [Fact]
    public void Duplicate_need_provider_pair_is_rejected_naming_both_candidates()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new AssignmentProblem(2, [1, 1], [new(0, 1, 3), new(1, 1, 2), new(0, 1, 5)]));

        Assert.Contains("Candidates 0 and 2", error.Message);
        Assert.Contains("need 0", error.Message);
        Assert.Contains("provider 1", error.Message);
    }

    [Fact]
    public void Negative_need_count_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AssignmentProblem(-1, [], []));
    }

    [Fact]
    public void Missing_arrays_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => new AssignmentProblem(0, null!, []));
        Assert.Throws<ArgumentNullException>(() => new AssignmentProblem(0, [], null!));
        Assert.Throws<ArgumentNullException>(() => AssignmentSolver.Solve(null!));
        Assert.Throws<ArgumentNullException>(() => FirstComeFirstServed.Solve(null!));
        Assert.Throws<ArgumentNullException>(() => DimacsWriter.Write(null!, TextWriter.Null));
    }
}
