using System.Diagnostics;

namespace Tongxin.LoadTests;

/// <summary>
/// One route under load: how many answered, how fast, and the latency percentiles. <see cref="Offered"/> is the
/// fixed rate asked for (null: saturation, a fixed number of workers each sending as fast as answers come).
/// <see cref="HostCpu"/> and <see cref="ClientCpu"/> are the cores each process used on average during the
/// phase, so a reader sees whether the host or the load generator was the limit.
/// </summary>
internal sealed record PhaseResult(string Route, int Requests, int Errors, double Seconds, double P50, double P95, double P99, string ErrorStatuses = "")
{
    public double? Offered { get; init; }
    public int NotSent { get; init; }
    public double HostCpu { get; init; }
    public double ClientCpu { get; init; }
    public double PostgresCpu { get; init; }
    public double Max { get; init; }

    public double PerSecond => Requests / Seconds;

    /// <summary>The host's CPU time per answered request: steadier than req/s on a machine shared with other work.</summary>
    public double HostCpuPerRequest => Requests == 0 ? 0 : HostCpu * Seconds / Requests * 1_000_000;

    public override string ToString()
    {
        var mode = Offered is { } rate ? $"@{rate,5:F0}/s" : "saturate";
        var notSent = NotSent > 0 ? $" [not sent, too many in flight: {NotSent}]" : "";
        return $"{Route,-44} {mode,-8} {Requests,7} req {Errors,5} err {PerSecond,7:F0} req/s   p50 {P50,7:F1} ms   p95 {P95,7:F1} ms   p99 {P99,7:F1} ms   max {Max,7:F1} ms   cpu host {HostCpu:F2} client {ClientCpu:F2} postgres {PostgresCpu:F2} ({HostCpuPerRequest,4:F0} µs host cpu/req) {ErrorStatuses}{notSent}";
    }
}

internal static class Phase
{
    /// <summary>The host's process id, for its CPU figures (0: not known, not reported).</summary>
    public static int HostProcessId { get; set; }

    /// <summary>
    /// Saturation: <paramref name="requests"/> calls of <paramref name="call"/> (given the request number) from
    /// <paramref name="concurrency"/> workers, each sending its next request when the last one is answered.
    /// </summary>
    public static async Task<PhaseResult> RunAsync(string route, int concurrency, int requests, Func<int, Task<HttpResponseMessage>> call, TimeSpan? limit = null)
    {
        Started(route, "saturate");
        var latencies = new double[requests];
        var next = -1;
        var recorder = new Outcomes();
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(2));
        var cpu = CpuMeter.Start();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (DateTime.UtcNow < deadline)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= requests)
                {
                    return;
                }
                var started = Stopwatch.GetTimestamp();
                await recorder.SendAsync(call, i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        watch.Stop();
        var (hostCpu, clientCpu, postgresCpu) = cpu.Stop(watch.Elapsed);
        var done = Math.Min(requests, next + 1);
        return Summarise(route, latencies.AsSpan(0, done).ToArray(), recorder, watch.Elapsed) with { HostCpu = hostCpu, ClientCpu = clientCpu, PostgresCpu = postgresCpu };
    }

    /// <summary>
    /// A fixed offered rate (open loop): request i is due at start + i / <paramref name="perSecond"/> whether or not
    /// earlier ones were answered, and its latency counts from when it was due, not from when it was sent, so a
    /// host that falls behind shows it in the percentiles (no coordinated omission). At most
    /// <paramref name="maxInFlight"/> requests wait at once; past that a due request is counted as not sent.
    /// </summary>
    public static async Task<PhaseResult> RunAtRateAsync(string route, double perSecond, TimeSpan duration, Func<int, Task<HttpResponseMessage>> call, int maxInFlight = 4_096)
    {
        Started(route, $"at {perSecond:F0}/s");
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var answered = new bool[total];
        var recorder = new Outcomes();
        var inFlight = 0;
        var notSent = 0;
        var pending = new List<Task>(total);
        var cpu = CpuMeter.Start();
        var start = Stopwatch.GetTimestamp();
        var issued = 0;
        while (issued < total)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            var due = Math.Min(total, (int)(elapsed.TotalSeconds * perSecond) + 1);
            for (; issued < due; issued++)
            {
                if (Volatile.Read(ref inFlight) >= maxInFlight)
                {
                    notSent++;
                    continue;
                }
                var i = issued;
                var dueAt = start + (long)(i / perSecond * Stopwatch.Frequency);
                Interlocked.Increment(ref inFlight);
                pending.Add(Task.Run(async () =>
                {
                    await recorder.SendAsync(call, i);
                    latencies[i] = Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds;
                    answered[i] = true;
                    Interlocked.Decrement(ref inFlight);
                }));
            }
            // About a millisecond between bursts: the generator itself stays cheap.
            await Task.Delay(1);
        }
        await Task.WhenAll(pending);
        var wall = Stopwatch.GetElapsedTime(start);
        var (hostCpu, clientCpu, postgresCpu) = cpu.Stop(wall);
        var measured = latencies.Where((_, i) => answered[i]).ToArray();
        return Summarise(route, measured, recorder, wall) with { Offered = perSecond, NotSent = notSent, HostCpu = hostCpu, ClientCpu = clientCpu, PostgresCpu = postgresCpu };
    }

    /// <summary>The middle figure (the mean of the two middle ones for an even count): what a few runs on a noisy machine report.</summary>
    public static double Median(IEnumerable<double> figures)
    {
        var sorted = figures.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    // Progress, so a profiler can be attached to the host during the phase it should see.
    internal static void Started(string route, string mode) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {route} {mode}");

    private static PhaseResult Summarise(string route, double[] latencies, Outcomes outcomes, TimeSpan wall)
    {
        Array.Sort(latencies);
        double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        return new PhaseResult(route, latencies.Length, outcomes.Errors, wall.TotalSeconds, Percentile(0.50), Percentile(0.95), Percentile(0.99), outcomes.Statuses)
        {
            Max = latencies.Length == 0 ? 0 : latencies[^1],
        };
    }

    /// <summary>Counts the answers that were not 2xx, by status (or exception type).</summary>
    private sealed class Outcomes
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> statuses = new();
        private int errors;

        public int Errors => Volatile.Read(ref errors);

        public string Statuses => string.Join(" ", statuses.OrderBy(s => s.Key).Select(s => $"[{s.Key}: {s.Value}]"));

        public async Task SendAsync(Func<int, Task<HttpResponseMessage>> call, int i)
        {
            try
            {
                using var response = await call(i);
                // Read the body: a request is done when its answer has arrived, not when its headers have.
                await response.Content.LoadIntoBufferAsync();
                if (!response.IsSuccessStatusCode)
                {
                    Count(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Count(e.GetType().Name);
            }
        }

        private void Count(string key)
        {
            Interlocked.Increment(ref errors);
            statuses.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
    }

    /// <summary>
    /// CPU time of the host process, of this process, and of every process named postgres on the machine (the
    /// server's backends; on a shared machine also other people's servers, so an upper bound), in cores.
    /// </summary>
    internal sealed class CpuMeter
    {
        private TimeSpan hostStart;
        private TimeSpan clientStart;
        private TimeSpan postgresStart;

        public static CpuMeter Start() => new() { hostStart = HostCpuTime(), clientStart = Process.GetCurrentProcess().TotalProcessorTime, postgresStart = PostgresCpuTime() };

        public (double Host, double Client, double Postgres) Stop(TimeSpan wall)
        {
            var host = HostCpuTime() - hostStart;
            var client = Process.GetCurrentProcess().TotalProcessorTime - clientStart;
            var postgres = PostgresCpuTime() - postgresStart;
            return (host / wall, client / wall, Math.Max(0, postgres / wall));
        }

        private static TimeSpan PostgresCpuTime()
        {
            var total = TimeSpan.Zero;
            foreach (var process in Process.GetProcessesByName("postgres"))
            {
                try
                {
                    total += process.TotalProcessorTime;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Ended meanwhile: its time is not counted.
                }
                finally
                {
                    process.Dispose();
                }
            }
            return total;
        }

        private static TimeSpan HostCpuTime()
        {
            if (HostProcessId == 0)
            {
                return TimeSpan.Zero;
            }
            try
            {
                return Process.GetProcessById(HostProcessId).TotalProcessorTime;
            }
            catch (ArgumentException)
            {
                return TimeSpan.Zero; // the host has gone: no figure
            }
        }
    }
}
