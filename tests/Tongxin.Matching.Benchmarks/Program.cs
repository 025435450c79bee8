using System.Diagnostics;
using System.Globalization;
using Tongxin.Matching;
using Tongxin.Matching.Benchmarks;

// Usage: dotnet run -c Release --project tests/Tongxin.Matching.Benchmarks -- [sizes...] [--seed N]
//        [--dimacs <folder>] [--in-process] [--all-cores]
// Each size (number of needs; providers = needs / 3) runs in a child process of its own, pinned to one
// core, so that its peak memory is its own. --in-process runs them all here instead.
var sizes = new List<int>();
ulong seed = 20240601;
string? dimacsFolder = null;
var inProcess = false;
var allCores = false;
var child = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed":
            seed = ulong.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--dimacs":
            dimacsFolder = Path.GetFullPath(args[++i]);
            break;
        case "--in-process":
            inProcess = true;
            break;
        case "--all-cores":
            allCores = true;
            break;
        case "--child":
            child = true;
            break;
        case "-h":
        case "--help":
            Console.WriteLine("arguments: [needs ...] [--seed N] [--dimacs <folder>] [--in-process] [--all-cores]");
            return 0;
        default:
            sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
            break;
    }
}
if (sizes.Count == 0)
{
    sizes.AddRange([10000, 50000, 100000]);
}

if (child)
{
    return Harness.RunSizes(sizes, seed, dimacsFolder, allCores, printHeader: false);
}
if (inProcess)
{
    return Harness.RunSizes(sizes, seed, dimacsFolder, allCores, printHeader: true);
}

Harness.PrintHeader(seed, allCores);
foreach (var size in sizes)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
    {
        start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]); // launched as "dotnet x.dll"
    }
    start.ArgumentList.Add("--child");
    start.ArgumentList.Add(size.ToString(CultureInfo.InvariantCulture));
    start.ArgumentList.Add("--seed");
    start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
    if (dimacsFolder is not null)
    {
        start.ArgumentList.Add("--dimacs");
        start.ArgumentList.Add(dimacsFolder);
    }
    if (allCores)
    {
        start.ArgumentList.Add("--all-cores");
    }
    using var process = Process.Start(start)!;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        return process.ExitCode;
    }
}
return 0;

internal static class Harness
{
    private const string Format = "{0,8} {1,9} {2,10} {3,8} {4,9} {5,8} {6,7} {7,9} {8,9} {9,13} {10,13} {11,7} {12,9} {13,9} {14,5}";

    public static void PrintHeader(ulong seed, bool allCores)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tongxin.Matching benchmark: county-shaped instances, seed {seed}, {(allCores ? "all cores" : "pinned to one core")}, .NET {Environment.Version}"));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, Format,
            "needs", "providers", "edges", "gen ms", "build ms", "solve ms", "cpu ms", "solve MiB", "peak MiB",
            "objective", "FCFS score", "gain %", "assigned", "FCFS asg", "proof"));
    }

    public static int RunSizes(List<int> sizes, ulong seed, string? dimacsFolder, bool allCores, bool printHeader)
    {
        if (!allCores && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            try
            {
                using var self = Process.GetCurrentProcess();
                self.ProcessorAffinity = 1; // first core only
            }
            catch (PlatformNotSupportedException)
            {
            }
        }
        Warm();
        if (printHeader)
        {
            PrintHeader(seed, allCores);
        }
        foreach (var size in sizes)
        {
            if (!RunOne(size, seed, dimacsFolder))
            {
                return 1;
            }
        }
        return 0;
    }

    // Compiles the hot paths (tiered JIT) before anything is timed.
    private static void Warm()
    {
        for (var round = 0; round < 3; round++)
        {
            var instance = CountyGenerator.Generate(6000, 2000, 7);
            var problem = new AssignmentProblem(instance.NeedCount, instance.Capacities, instance.Candidates);
            AssignmentSolver.Solve(problem);
            FirstComeFirstServed.Solve(problem);
        }
    }

    private static bool RunOne(int needs, ulong seed, string? dimacsFolder)
    {
        var providers = needs / 3;
        var clock = Stopwatch.StartNew();
        var instance = CountyGenerator.Generate(needs, providers, seed);
        var generateMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var problem = new AssignmentProblem(instance.NeedCount, instance.Capacities, instance.Candidates);
        var buildMs = clock.Elapsed.TotalMilliseconds;
        instance = null;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        clock.Restart();
        var assignment = AssignmentSolver.Solve(problem, out var certificate);
        var solveMs = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds; // robust to other load
        var solveMiB = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;

        var fcfs = FirstComeFirstServed.Solve(problem);
        var proof = Verify(problem, assignment, certificate);

        process.Refresh();
        var peakMiB = process.PeakWorkingSet64 / 1048576.0;
        var gain = fcfs.TotalScore == 0 ? 0 : 100.0 * (assignment.TotalScore - fcfs.TotalScore) / fcfs.TotalScore;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, Format,
            needs, providers, problem.CandidateCount, generateMs.ToString("F0", CultureInfo.InvariantCulture),
            buildMs.ToString("F0", CultureInfo.InvariantCulture), solveMs.ToString("F0", CultureInfo.InvariantCulture),
            cpuMs.ToString("F0", CultureInfo.InvariantCulture),
            solveMiB.ToString("F1", CultureInfo.InvariantCulture), peakMiB.ToString("F0", CultureInfo.InvariantCulture),
            assignment.TotalScore, fcfs.TotalScore, gain.ToString("F2", CultureInfo.InvariantCulture),
            assignment.AssignedCount, fcfs.AssignedCount, proof ? "ok" : "FAIL"));

        if (dimacsFolder is not null)
        {
            Directory.CreateDirectory(dimacsFolder);
            var path = Path.Combine(dimacsFolder, string.Create(CultureInfo.InvariantCulture, $"county-{needs}-seed{seed}.min"));
            using (var writer = new StreamWriter(path))
            {
                DimacsWriter.Write(problem, writer);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  wrote {path}; expected optimum cost {-assignment.TotalScore}"));
        }
        return proof;
    }

    // Feasibility of the primal and the LP-duality proof of optimality, checked from the public API only.
    private static bool Verify(AssignmentProblem problem, Assignment assignment, OptimalityCertificate certificate)
    {
        var load = new int[problem.ProviderCount];
        var scoreOf = new Dictionary<long, int>();
        var span = problem.Candidates.Span;
        foreach (var c in span)
        {
            if (certificate.NeedProfit[c.Need] + certificate.ProviderPrice[c.Provider] < c.Score)
            {
                return false;
            }
            if (assignment.ProviderOfNeed[c.Need] == c.Provider)
            {
                scoreOf[c.Need] = c.Score;
            }
        }
        long total = 0;
        for (var j = 0; j < problem.NeedCount; j++)
        {
            var p = assignment.ProviderOfNeed[j];
            if (p < 0)
            {
                continue;
            }
            if (!scoreOf.TryGetValue(j, out var score) || ++load[p] > problem.ProviderCapacities[p])
            {
                return false;
            }
            total += score;
        }
        return total == assignment.TotalScore && certificate.DualObjective == total
            && certificate.NeedProfit.All(u => u >= 0) && certificate.ProviderPrice.All(v => v >= 0);
    }
}
