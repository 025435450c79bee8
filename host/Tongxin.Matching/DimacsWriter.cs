using System.Globalization;

namespace Tongxin.Matching;

/// <summary>
/// Writes an <see cref="AssignmentProblem"/> as a DIMACS minimum-cost flow instance ("p min"), so that
/// any outside solver (CS2, LEMON's dimacs-solver, GLPK's <c>glpsol --mincost</c>, ...) can confirm the
/// optimum independently. All costs and capacities are integers.
/// <para>
/// Node numbering (1-based, as DIMACS requires), with N needs and M providers:
/// need j is node j + 1 (supply 1); provider p is node N + p + 1 (supply 0);
/// the sink is node N + M + 1 (supply -N, i.e. demand N).
/// Arcs, in this order: one per candidate, in the problem's candidate order, from need to provider,
/// capacity [0, 1], cost -score; one per provider, provider to sink, capacity [0, capacity], cost 0;
/// one per need, need to sink, capacity [0, 1], cost 0 ("left unassigned").
/// Every feasible flow is integral with each need sending its unit either through one provider or
/// straight to the sink, so the minimum cost equals -(maximum total score).
/// </para>
/// </summary>
public static class DimacsWriter
{
    public static void Write(AssignmentProblem problem, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(writer);
        var inv = CultureInfo.InvariantCulture;
        var n = problem.NeedCount;
        var m = problem.ProviderCount;
        var sink = (long)n + m + 1;
        var nodes = sink;
        var arcs = (long)problem.CandidateCount + m + n;

        WriteLine(writer, "c Tongxin.Matching assignment problem as a DIMACS minimum-cost flow instance.");
        WriteLine(writer, string.Create(inv, $"c needs {n}, providers {m}, candidates {problem.CandidateCount}."));
        WriteLine(writer, "c Maximise the total score: each need gets at most one provider, provider p at most");
        WriteLine(writer, "c capacity[p] needs, only along candidate edges. Encoded as min-cost flow:");
        WriteLine(writer, string.Create(inv, $"c   node j+1 (1..{n}) is need j, supply 1;"));
        WriteLine(writer, string.Create(inv, $"c   node {n}+p+1 ({n + 1}..{n + m}) is provider p, supply 0;"));
        WriteLine(writer, string.Create(inv, $"c   node {sink} is the sink, supply -{n} (demand {n})."));
        WriteLine(writer, "c   arcs need->provider, one per candidate in the problem's order: capacity 0..1, cost -score;");
        WriteLine(writer, "c   arcs provider->sink: capacity 0..capacity[p], cost 0;");
        WriteLine(writer, "c   arcs need->sink (need left unassigned): capacity 0..1, cost 0.");
        WriteLine(writer, "c Minimum cost = -(maximum total score). A need is assigned to the provider whose");
        WriteLine(writer, "c need->provider arc carries its unit of flow.");
        WriteLine(writer, string.Create(inv, $"p min {nodes} {arcs}"));
        for (var j = 0; j < n; j++)
        {
            WriteLine(writer, string.Create(inv, $"n {j + 1} 1"));
        }
        if (n > 0)
        {
            WriteLine(writer, string.Create(inv, $"n {sink} {-n}"));
        }
        foreach (var c in problem.Candidates.Span)
        {
            WriteLine(writer, string.Create(inv, $"a {c.Need + 1} {(long)n + c.Provider + 1} 0 1 {-c.Score}"));
        }
        var capacities = problem.ProviderCapacities;
        for (var p = 0; p < m; p++)
        {
            WriteLine(writer, string.Create(inv, $"a {(long)n + p + 1} {sink} 0 {capacities[p]} 0"));
        }
        for (var j = 0; j < n; j++)
        {
            WriteLine(writer, string.Create(inv, $"a {j + 1} {sink} 0 1 0"));
        }
    }

    // DIMACS readers expect '\n' line ends whatever the platform's TextWriter.NewLine.
    private static void WriteLine(TextWriter writer, string line)
    {
        writer.Write(line);
        writer.Write('\n');
    }
}
