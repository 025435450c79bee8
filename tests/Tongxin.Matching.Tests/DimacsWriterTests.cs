using System.Globalization;
using static Tongxin.Matching.Tests.Support;

namespace Tongxin.Matching.Tests;

public class DimacsWriterTests
{
    private static string Write(AssignmentProblem problem)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        DimacsWriter.Write(problem, writer);
        return writer.ToString();
    }

    private static string[][] Lines(string text, string kind) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p[0] == kind)
            .ToArray();

    [Fact]
    public void HeaderCountsMatchTheNodesAndArcsWritten()
    {
        var (n, capacities, candidates) = RandomInstance(3, 40, 12, 3, 5, 50);
        var problem = new AssignmentProblem(n, capacities, candidates);

        var text = Write(problem);
        var header = Assert.Single(Lines(text, "p"));
        var arcs = Lines(text, "a");

        Assert.Equal("min", header[1]);
        Assert.Equal(n + capacities.Length + 1, int.Parse(header[2], CultureInfo.InvariantCulture));
        Assert.Equal(arcs.Length, int.Parse(header[3], CultureInfo.InvariantCulture));
        Assert.Equal(candidates.Length + capacities.Length + n, arcs.Length);
        Assert.True(text.IndexOf("\np ", StringComparison.Ordinal) < text.IndexOf("\nn ", StringComparison.Ordinal));
        Assert.StartsWith("c ", text);
        Assert.DoesNotContain("\r", text);
    }

    [Fact]
    public void EveryCandidateAppearsAsAnArcFromItsNeedNodeToItsProviderNodeWithCostMinusScore()
    {
        var (n, capacities, candidates) = RandomInstance(4, 30, 10, 2, 6, 99);
        var problem = new AssignmentProblem(n, capacities, candidates);

        var arcs = Lines(Write(problem), "a").Select(a => string.Join(' ', a)).ToHashSet();

        Assert.All(candidates, c => Assert.Contains($"a {c.Need + 1} {n + c.Provider + 1} 0 1 {-c.Score}", arcs));
        var sink = n + capacities.Length + 1;
        Assert.All(Enumerable.Range(0, capacities.Length), p => Assert.Contains($"a {n + p + 1} {sink} 0 {capacities[p]} 0", arcs));
        Assert.All(Enumerable.Range(0, n), j => Assert.Contains($"a {j + 1} {sink} 0 1 0", arcs));
    }

    [Fact]
    public void SuppliesAreOnePerNeedAndMinusTheNeedCountAtTheSink()
    {
        var problem = Problem(3, [1, 2], (0, 0, 5), (2, 1, 4));

        var supplies = Lines(Write(problem), "n").Select(l => (Node: int.Parse(l[1], CultureInfo.InvariantCulture), Flow: int.Parse(l[2], CultureInfo.InvariantCulture))).ToArray();

        Assert.Equal([(1, 1), (2, 1), (3, 1), (6, -3)], supplies);
        Assert.Equal(0, supplies.Sum(s => s.Flow));
    }

    [Fact]
    public void HeaderCommentsDocumentTheNumberingAndThatTheOptimumCostIsMinusTheTotalScore()
    {
        var comments = string.Join('\n', Lines(Write(Problem(1, [1], (0, 0, 1))), "c").Select(l => string.Join(' ', l)));

        Assert.Contains("node j+1", comments);
        Assert.Contains("provider p", comments);
        Assert.Contains("sink", comments);
        Assert.Contains("Minimum cost = -(maximum total score)", comments);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void WrittenInstanceSolvedByAnOutsideMinCostFlowSolverCostsMinusTheOptimalScore(int seed)
    {
        var (n, capacities, candidates) = RandomInstance(seed, 120, 40, 3, 6, 200);
        var problem = new AssignmentProblem(n, capacities, candidates);

        var flow = ReferenceMinCostFlow.ParseDimacs(Write(problem), out var nodes, out _);

        Assert.Equal(n + capacities.Length + 1, nodes);
        Assert.Equal(-AssignmentSolver.Solve(problem).TotalScore, flow.Solve());
    }

    [Fact]
    public void ProblemWithoutNeedsWritesAValidInstanceWithoutSupplies()
    {
        var text = Write(new AssignmentProblem(0, [2], []));

        Assert.Equal(["p", "min", "2", "1"], Assert.Single(Lines(text, "p")));
        Assert.Empty(Lines(text, "n"));
    }
}
