using System.Diagnostics;

namespace Tongxin.LoadTests;

/// <summary>One route under load: a fixed number of requests from a fixed number of concurrent clients; latencies kept.</summary>
internal sealed record PhaseResult(string Route, int Requests, int Errors, double Seconds, double P50, double P95, double P99, string ErrorStatuses = "")
{
    public double PerSecond => Requests / Seconds;

    public override string ToString() =>
        $"{Route,-44} {Requests,7} req {Errors,5} err {PerSecond,8:F0} req/s   p50 {P50,7:F1} ms   p95 {P95,7:F1} ms   p99 {P99,7:F1} ms {ErrorStatuses}";
}

internal static class Phase
{
    /// <summary>Runs <paramref name="requests"/> calls of <paramref name="call"/> (given the request number) from <paramref name="concurrency"/> workers.</summary>
    public static async Task<PhaseResult> RunAsync(string route, int concurrency, int requests, Func<int, Task<HttpResponseMessage>> call, TimeSpan? limit = null)
    {
        var latencies = new double[requests];
        var next = -1;
        var errors = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(2));
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
                try
                {
                    using var response = await call(i);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        statuses.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref errors);
                    statuses.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        watch.Stop();
        var done = Math.Min(requests, next + 1);
        var sorted = latencies.Take(done).Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        var errorStatuses = string.Join(" ", statuses.OrderBy(s => s.Key).Select(s => $"[{s.Key}: {s.Value}]"));
        return new PhaseResult(route, done, errors, watch.Elapsed.TotalSeconds, Percentile(0.50), Percentile(0.95), Percentile(0.99), errorStatuses);
    }
}
