using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tongxin.LoadTests;

/// <summary>
/// A lean HTTP/1.1 load generator for the routes with targets. The host and this generator share the machine's two
/// cores; HttpClient spent about 80–100 µs of CPU per request and, at a fixed rate, opened new connections and queued
/// work behind its own thread-pool items, which showed up as latency the host never had (server-side the same run
/// measured a p99 a fifth of the one HttpClient reported). Here: keep-alive connections opened before the clock
/// starts, requests encoded once or by a small callback, a response read by its own framing, and one scheduler
/// thread that sends each request when it is due. It speaks only what the host answers (HTTP/1.1, chunked
/// or with a Content-Length, no pipelining); anything else fails the request loudly.
/// </summary>
internal sealed class RawHttp : IAsyncDisposable
{
    private readonly IPEndPoint endPoint;
    private readonly string host;
    private readonly System.Collections.Concurrent.ConcurrentBag<Connection> idle = new();
    private readonly List<Connection> all = new();

    private readonly SemaphoreSlim free;

    private RawHttp(Uri address, int connections)
    {
        free = new SemaphoreSlim(connections, connections);
        endPoint = new IPEndPoint(IPAddress.Parse(address.Host), address.Port);
        host = $"{address.Host}:{address.Port}";
    }

    /// <summary>Opens <paramref name="connections"/> keep-alive connections to the host (loopback).</summary>
    public static async Task<RawHttp> OpenAsync(Uri address, int connections)
    {
        var client = new RawHttp(address, connections);
        for (var i = 0; i < connections; i++)
        {
            var connection = await Connection.OpenAsync(client.endPoint);
            client.all.Add(connection);
            client.idle.Add(connection);
        }
        return client;
    }

    /// <summary>A GET with a bearer token, as bytes ready to send.</summary>
    public byte[] Get(string path, string token) =>
        Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n");

    /// <summary>A POST of a JSON body with a bearer token, as bytes ready to send.</summary>
    public byte[] Post(string path, string token, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        return [.. head, .. body];
    }

    /// <summary>
    /// A fixed offered rate, open loop: request i is due at start + i / rate, sent then on an idle connection (or as
    /// soon as one is free), and its latency counts from when it was due. Same meaning as
    /// <see cref="Phase.RunAtRateAsync"/>; only the client is cheaper.
    /// </summary>
    public async Task<PhaseResult> RunAtRateAsync(string route, double perSecond, TimeSpan duration, Func<int, byte[]> request)
    {
        Phase.Started(route, $"at {perSecond:F0}/s (raw HTTP/1.1)");
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var statuses = new int[total];
        var pending = new Task[total];
        var cpu = Phase.CpuMeter.Start();
        var start = Stopwatch.GetTimestamp();
        // One thread sends on time whatever the thread pool is doing: every millisecond or so it sends all that are
        // due (each still timed from its own due time), then sleeps; it never spins.
        var scheduler = new Thread(() =>
        {
            var issued = 0;
            while (issued < total)
            {
                var due = Math.Min(total, (int)(Stopwatch.GetElapsedTime(start).TotalSeconds * perSecond) + 1);
                for (; issued < due; issued++)
                {
                    var dueAt = start + (long)(issued / perSecond * Stopwatch.Frequency);
                    pending[issued] = SendAsync(issued, request(issued), dueAt, latencies, statuses);
                }
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "load scheduler" };
        scheduler.Start();
        scheduler.Join();
        await Task.WhenAll(pending);
        var wall = Stopwatch.GetElapsedTime(start);
        var (hostCpu, clientCpu, postgresCpu) = cpu.Stop(wall);
        if (Environment.GetEnvironmentVariable("TONGXIN_LOAD_LATENCIES") is { Length: > 0 } folder)
        {
            // For finding where a tail comes from: each request's due time and latency (ms), in the order they were due.
            var file = Path.Combine(folder, $"{DateTime.Now:HHmmss}-{new string(route.Where(char.IsLetterOrDigit).ToArray())}.tsv");
            await File.WriteAllLinesAsync(file, latencies.Select((l, i) => $"{i / perSecond * 1000:F2}\t{l:F2}"));
        }
        return Summarise(route, latencies, statuses, wall) with { Offered = perSecond, HostCpu = hostCpu, ClientCpu = clientCpu, PostgresCpu = postgresCpu };
    }

    /// <summary>Saturation: <paramref name="concurrency"/> connections, each sending its next request when the last is answered.</summary>
    public async Task<PhaseResult> RunAsync(string route, int concurrency, int requests, Func<int, byte[]> request)
    {
        Phase.Started(route, "saturate (raw HTTP/1.1)");
        var latencies = new double[requests];
        var statuses = new int[requests];
        var next = -1;
        var cpu = Phase.CpuMeter.Start();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= requests)
                {
                    return;
                }
                await SendAsync(i, request(i), Stopwatch.GetTimestamp(), latencies, statuses);
            }
        }));
        var wall = Stopwatch.GetElapsedTime(start);
        var (hostCpu, clientCpu, postgresCpu) = cpu.Stop(wall);
        return Summarise(route, latencies, statuses, wall) with { HostCpu = hostCpu, ClientCpu = clientCpu, PostgresCpu = postgresCpu };
    }

    private async Task SendAsync(int i, byte[] request, long dueAt, double[] latencies, int[] statuses)
    {
        // As many requests in flight as connections, no more: a request due while all are busy waits for one (its
        // latency still counts from when it was due), as a browser waits for a free connection. Opening more during
        // the run would measure connection set-up, and an overloaded host would drown in it.
        await free.WaitAsync();
        if (!idle.TryTake(out var connection))
        {
            connection = await ReplaceAsync(null);
        }
        try
        {
            statuses[i] = await connection.ExchangeAsync(request);
            latencies[i] = Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds;
            idle.Add(connection);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            statuses[i] = -1; // counted as an error; the connection is replaced
            latencies[i] = Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds;
            idle.Add(await ReplaceAsync(connection));
        }
        finally
        {
            free.Release();
        }
    }

    private async Task<Connection> ReplaceAsync(Connection? broken)
    {
        var connection = await Connection.OpenAsync(endPoint);
        lock (all)
        {
            if (broken is not null)
            {
                all.Remove(broken);
                broken.Dispose();
            }
            all.Add(connection);
        }
        return connection;
    }

    private static PhaseResult Summarise(string route, double[] latencies, int[] statuses, TimeSpan wall)
    {
        var errors = statuses.Count(s => s is < 200 or > 299);
        var byStatus = string.Join(" ", statuses.Where(s => s is < 200 or > 299).GroupBy(s => s).OrderBy(g => g.Key)
            .Select(g => $"[{(g.Key == -1 ? "connection" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}: {g.Count()}]"));
        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new PhaseResult(route, sorted.Length, errors, wall.TotalSeconds, Percentile(0.50), Percentile(0.95), Percentile(0.99), byStatus)
        {
            Max = sorted.Length == 0 ? 0 : sorted[^1],
        };
    }

    public ValueTask DisposeAsync()
    {
        lock (all)
        {
            foreach (var connection in all)
            {
                connection.Dispose();
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>One keep-alive connection: one request at a time, its answer read whole before the next.</summary>
    private sealed class Connection : IDisposable
    {
        private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
        private static readonly byte[] ContentLength = "\r\ncontent-length:"u8.ToArray();
        private readonly Socket socket;
        private byte[] buffer = new byte[16 * 1024];

        private Connection(Socket socket) => this.socket = socket;

        public static async Task<Connection> OpenAsync(IPEndPoint endPoint)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endPoint);
            return new Connection(socket);
        }

        /// <summary>Sends the request and reads the whole answer (Content-Length or chunked); returns its status code.</summary>
        public async Task<int> ExchangeAsync(byte[] request)
        {
            await socket.SendAsync(request, SocketFlags.None);
            var filled = 0;
            var headerLength = -1;
            var bodyLength = 0;
            var chunked = false;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("The host closed the connection.");
                }
                filled += read;
                if (headerLength < 0)
                {
                    var end = buffer.AsSpan(0, filled).IndexOf(HeaderEnd);
                    if (end < 0)
                    {
                        continue;
                    }
                    headerLength = end + HeaderEnd.Length;
                    (bodyLength, chunked) = ReadFraming(buffer.AsSpan(0, end));
                }
                var complete = chunked ? ChunkedEnd(buffer.AsSpan(headerLength, filled - headerLength)) : (filled >= headerLength + bodyLength ? bodyLength : -1);
                if (complete < 0)
                {
                    continue;
                }
                if (filled > headerLength + complete)
                {
                    throw new InvalidDataException("More bytes than one answer: the host does not pipeline, so this should not happen.");
                }
                // "HTTP/1.1 200 OK": the status is the three digits after the first space.
                return Utf8Parser.TryParse(buffer.AsSpan(9, 3), out int status, out _) ? status : throw new InvalidDataException("No status line.");
            }
        }

        /// <summary>The length of a whole chunked body at the start of <paramref name="body"/>, or -1 if not all here yet.</summary>
        private static int ChunkedEnd(ReadOnlySpan<byte> body)
        {
            var at = 0;
            while (true)
            {
                var lineEnd = body[at..].IndexOf("\r\n"u8);
                if (lineEnd < 0)
                {
                    return -1;
                }
                var sizeText = body.Slice(at, lineEnd);
                var extension = sizeText.IndexOf((byte)';');
                if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out int size, out _, 'x'))
                {
                    throw new InvalidDataException("A bad chunk size.");
                }
                at += lineEnd + 2;
                if (size == 0)
                {
                    // No trailers from this host: the last chunk is followed by an empty line.
                    return body.Length >= at + 2 ? at + 2 : -1;
                }
                if (body.Length < at + size + 2)
                {
                    return -1;
                }
                at += size + 2;
            }
        }

        private static (int Length, bool Chunked) ReadFraming(ReadOnlySpan<byte> head)
        {
            Span<byte> lower = head.Length <= 4096 ? stackalloc byte[head.Length] : new byte[head.Length];
            for (var k = 0; k < head.Length; k++)
            {
                lower[k] = head[k] is >= (byte)'A' and <= (byte)'Z' ? (byte)(head[k] + 32) : head[k];
            }
            var at = lower.IndexOf(ContentLength);
            if (at < 0)
            {
                return (0, lower.IndexOf("\r\ntransfer-encoding: chunked"u8) >= 0);
            }
            var value = head[(at + ContentLength.Length)..];
            var lineEnd = value.IndexOf("\r\n"u8);
            value = (lineEnd < 0 ? value : value[..lineEnd]).Trim((byte)' ');
            return Utf8Parser.TryParse(value, out int length, out _) ? (length, false) : throw new InvalidDataException("A bad Content-Length.");
        }

        public void Dispose() => socket.Dispose();
    }
}
