using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tongxin.Caching.Redis;

// The transport: a few pooled TcpClient connections, one command (or one batch) at a time on each.
//
// Why a pool and not one multiplexed connection like StackExchange.Redis: a multiplexer needs a
// pipelined writer, a reader loop and a queue matching replies to callers, which is most of a big
// library. A small pool of plain request/reply connections is easy to get right and fast enough for a
// cache (a GET on loopback is well under a millisecond). The pool size bounds both our concurrency
// and the server's connection count.
//
// Failure handling, in one place:
// - any I/O error, timeout or protocol error throws away the connection it happened on (after a
//   timeout the stream may still deliver the late reply, which would be read as the answer to the
//   next command) and bumps the pool's generation, so every other idle connection, probably dead as
//   well, is dropped instead of being tried one by one;
// - a command that failed on a REUSED connection with a plain I/O error (not a timeout) is sent once
//   more on a fresh connection: after a Redis restart every pooled connection is stale, and the first
//   caller should not see that. This can run a command twice if the server executed it and the reply
//   was lost; the cache's commands (HMGET, DEL, PEXPIRE, MULTI/EXEC of DEL+HSET+PEXPIRE) are idempotent.

/// <summary>Where and how to connect, parsed from <c>host:port[,password=...][,user=...][,defaultDatabase=N]</c>.</summary>
public sealed record RedisEndpoint(string Host, int Port, string? User, string? Password, int Database)
{
    public const int DefaultPort = 6379;

    /// <summary>
    /// Parses a configuration string. The first part is <c>host</c>, <c>host:port</c> or <c>[ipv6]:port</c>;
    /// the options after commas are <c>password=</c>, <c>user=</c> (Redis 6 ACL user; needs a password)
    /// and <c>defaultDatabase=</c>. Anything else is refused rather than ignored: a setting such as
    /// <c>ssl=true</c> that this client cannot honour must not be dropped silently.
    /// </summary>
    public static RedisEndpoint Parse(string configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new FormatException("The Redis configuration is empty; expected host:port[,password=...][,defaultDatabase=N].");
        }

        var parts = configuration.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var (host, port) = ParseHostPort(parts[0]);
        string? user = null, password = null;
        var database = 0;
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals].Trim();
            var value = equals < 0 ? "" : part[(equals + 1)..].Trim();
            switch (name.ToLowerInvariant())
            {
                case "password":
                    password = value.Length == 0 ? null : value;
                    break;
                case "user":
                    user = value.Length == 0 ? null : value;
                    break;
                case "defaultdatabase":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out database))
                    {
                        throw new FormatException($"defaultDatabase must be a non-negative number, not '{value}'.");
                    }
                    break;
                default:
                    throw new FormatException($"Unsupported Redis option '{name}' (this client understands password=, user= and defaultDatabase=).");
            }
        }
        if (user is not null && password is null)
        {
            throw new FormatException("user= needs password= as well.");
        }
        return new RedisEndpoint(host, port, user, password, database);
    }

    private static (string Host, int Port) ParseHostPort(string text)
    {
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"Unclosed '[' in '{text}'.");
            }
            host = text[1..close];
            if (close + 1 < text.Length)
            {
                portText = text[(close + 1)..] is [':', .. var rest] ? rest : throw new FormatException($"Expected ':port' after ']' in '{text}'.");
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }
        if (host.Length == 0)
        {
            throw new FormatException($"No host in '{text}'.");
        }
        var port = DefaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new FormatException($"'{portText}' is not a port number.");
        }
        return (host, port);
    }

    /// <summary>host:port/db, for logs. Never shows the password.</summary>
    public override string ToString() => $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}/{Database}";
}

/// <summary>Settings of a <see cref="RedisClient"/>.</summary>
public sealed record RedisClientSettings(RedisEndpoint Endpoint, TimeSpan ConnectTimeout, TimeSpan CommandTimeout, int PoolSize)
{
    public static RedisClientSettings From(RedisCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RedisClientSettings(RedisEndpoint.Parse(options.Configuration), options.ConnectTimeout, options.CommandTimeout, options.PoolSize);
    }
}

/// <summary>
/// A small, thread-safe RESP2 client: up to <see cref="RedisClientSettings.PoolSize"/> connections for
/// synchronous callers and as many for asynchronous ones, opened on demand, each used by one caller at a time. Connect and command timeouts, AUTH and SELECT
/// on every new connection, reconnection after a broken connection. Throws
/// <see cref="RedisConnectionException"/> when the server cannot be used; error replies are returned
/// as <see cref="RespReply"/> values (<see cref="RespReply.ThrowIfError"/>).
/// </summary>
public sealed class RedisClient : IDisposable
{
    private readonly RedisClientSettings _settings;
    // Two sets of slots, PoolSize each: one for synchronous callers, one for asynchronous ones. A sync
    // caller blocks its thread while it waits for a slot; if it could wait for a slot held by an async
    // caller, whose continuation needs a thread-pool thread to finish and release it, a burst of sync
    // calls would occupy every pool thread and the async holders could not complete (they time out:
    // thread-pool starvation). Sync holders finish on their own thread, so sync callers waiting only
    // for each other is safe. Idle connections are shared by both.
    private readonly SemaphoreSlim _syncSlots;
    private readonly SemaphoreSlim _asyncSlots;
    private readonly Stack<Connection> _idle = new();   // guarded by lock (_idle)
    private int _generation;                            // bumped when the server looks gone: older connections are dropped
    private volatile bool _disposed;

    public RedisClient(RedisClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.PoolSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.CommandTimeout, TimeSpan.Zero);
        _settings = settings;
        _syncSlots = new SemaphoreSlim(settings.PoolSize, settings.PoolSize);
        _asyncSlots = new SemaphoreSlim(settings.PoolSize, settings.PoolSize);
    }

    public RedisEndpoint Endpoint => _settings.Endpoint;

    /// <summary>Sends one command and returns its reply, e.g. <c>Execute("GET", key)</c>.</summary>
    public RespReply Execute(params object[] command) => Run(ExecuteCoreAsync([command], useAsync: false, CancellationToken.None))[0];

    /// <summary>Sends one command and returns its reply, e.g. <c>await ExecuteAsync(["GET", key])</c>.</summary>
    public async Task<RespReply> ExecuteAsync(object[] command, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync([command], useAsync: true, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Sends several commands on one connection in one write and reads their replies in order
    /// (used for MULTI ... EXEC, which must stay on one connection).</summary>
    public IReadOnlyList<RespReply> ExecuteBatch(IReadOnlyList<object[]> commands) => Run(ExecuteCoreAsync(commands, useAsync: false, CancellationToken.None));

    /// <inheritdoc cref="ExecuteBatch"/>
    public async Task<IReadOnlyList<RespReply>> ExecuteBatchAsync(IReadOnlyList<object[]> commands, CancellationToken cancellationToken = default) =>
        await ExecuteCoreAsync(commands, useAsync: true, cancellationToken).ConfigureAwait(false);

    /// <summary>The one code path. With <paramref name="useAsync"/> false it never awaits anything
    /// incomplete, so sync callers block on the socket, not on a task.</summary>
    internal async ValueTask<RespReply[]> ExecuteCoreAsync(IReadOnlyList<object[]> commands, bool useAsync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(commands);
        cancellationToken.ThrowIfCancellationRequested();

        // Waiting for a free connection counts as part of the command: if all of them are stuck on a
        // server that stopped answering, this caller fails in bounded time too.
        var waitLimit = _settings.ConnectTimeout + _settings.CommandTimeout;
        var gotSlot = useAsync
            ? await _asyncSlots.WaitAsync(waitLimit, cancellationToken).ConfigureAwait(false)
            : _syncSlots.Wait(waitLimit, cancellationToken);
        if (!gotSlot)
        {
            throw new RedisConnectionException($"No Redis connection to {Endpoint} became free within {waitLimit.TotalMilliseconds:0} ms.", isTimeout: true);
        }
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var generation = Volatile.Read(ref _generation);
                var connection = TakeIdle(generation);
                var reused = connection is not null;
                if (connection is null)
                {
                    try
                    {
                        connection = await Connection.OpenAsync(_settings, generation, useAsync, cancellationToken).ConfigureAwait(false);
                    }
                    catch (RedisConnectionException)
                    {
                        Invalidate(generation);
                        throw;
                    }
                }

                try
                {
                    var replies = await connection.ExecuteAsync(commands, useAsync, cancellationToken).ConfigureAwait(false);
                    Return(connection);
                    return replies;
                }
                catch (RedisConnectionException exception) when (reused && attempt == 0 && !exception.IsTimeout)
                {
                    // A stale pooled connection (e.g. the server restarted): drop it and its siblings, try once on a new one.
                    connection.Dispose();
                    Invalidate(generation);
                }
                catch (RedisConnectionException)
                {
                    // Timeout or broken stream: this connection's state is unknown, and its siblings are suspect.
                    connection.Dispose();
                    Invalidate(generation);
                    throw;
                }
                catch
                {
                    // Cancellation mid-command (a reply may still arrive) or a bad argument: only this connection goes.
                    connection.Dispose();
                    throw;
                }
            }
        }
        finally
        {
            (useAsync ? _asyncSlots : _syncSlots).Release();
        }
    }

    private Connection? TakeIdle(int generation)
    {
        lock (_idle)
        {
            while (_idle.TryPop(out var connection))
            {
                if (connection.Generation == generation)
                {
                    return connection;
                }
                connection.Dispose();
            }
            return null;
        }
    }

    private void Return(Connection connection)
    {
        lock (_idle)
        {
            if (!_disposed && connection.Generation == Volatile.Read(ref _generation))
            {
                _idle.Push(connection);
                return;
            }
        }
        connection.Dispose();
    }

    /// <summary>Marks every connection of <paramref name="generation"/> as stale and closes the idle ones.</summary>
    private void Invalidate(int generation)
    {
        Interlocked.CompareExchange(ref _generation, generation + 1, generation);
        lock (_idle)
        {
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
    }

    private static RespReply[] Run(ValueTask<RespReply[]> pending) =>
        pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        lock (_idle)
        {
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
        // The slots are not disposed: a caller still inside ExecuteCoreAsync releases one on its way out.
    }

    /// <summary>One TCP connection: the socket, a reader and a reusable write buffer. Used by one caller at a time.</summary>
    private sealed class Connection : IDisposable
    {
        private const int KeepWriteBuffer = 64 * 1024; // a larger buffer (after a big SET) is not kept

        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly RespReader _reader;
        private readonly TimeSpan _commandTimeout;
        private ArrayBufferWriter<byte> _output = new(4096);

        private Connection(TcpClient client, TimeSpan commandTimeout, int generation)
        {
            _client = client;
            _stream = client.GetStream();
            _reader = new RespReader(_stream);
            _commandTimeout = commandTimeout;
            Generation = generation;
            // The synchronous path relies on socket timeouts. They bound each read and write rather
            // than the whole command, which only matters for a server that trickles a large reply.
            var milliseconds = (int)Math.Clamp(commandTimeout.TotalMilliseconds, 1, int.MaxValue);
            client.ReceiveTimeout = milliseconds;
            client.SendTimeout = milliseconds;
        }

        public int Generation { get; }

        public static async ValueTask<Connection> OpenAsync(RedisClientSettings settings, int generation, bool useAsync, CancellationToken cancellationToken)
        {
            var endpoint = settings.Endpoint;
            var client = useAsync
                ? await ConnectAsync(endpoint, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false)
                : Connect(endpoint, settings.ConnectTimeout);
            client.NoDelay = true; // small request/reply round trips: no Nagle delay
            try
            {
                var connection = new Connection(client, settings.CommandTimeout, generation);
                try
                {
                    // AUTH and SELECT belong to the connection, so every new one does them before its first command.
                    var setup = new List<object[]>();
                    if (endpoint.Password is not null)
                    {
                        setup.Add(endpoint.User is null ? ["AUTH", endpoint.Password] : ["AUTH", endpoint.User, endpoint.Password]);
                    }
                    if (endpoint.Database != 0)
                    {
                        setup.Add(["SELECT", endpoint.Database]);
                    }
                    if (setup.Count > 0)
                    {
                        var replies = await connection.ExecuteAsync(setup, useAsync, cancellationToken).ConfigureAwait(false);
                        var refused = replies.FirstOrDefault(reply => reply.IsError);
                        if (refused is not null)
                        {
                            // A wrong password makes the server unusable just as much as a missing server.
                            throw new RedisConnectionException($"Redis at {endpoint} refused the connection set-up (AUTH/SELECT): {refused.Text}");
                        }
                    }
                    return connection;
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        private static async ValueTask<TcpClient> ConnectAsync(RedisEndpoint endpoint, TimeSpan connectTimeout, CancellationToken cancellationToken)
        {
            var client = new TcpClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(connectTimeout);
                await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
                return client;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                client.Dispose();
                throw new RedisConnectionException($"Connecting to Redis at {endpoint} timed out after {connectTimeout.TotalMilliseconds:0} ms.", isTimeout: true);
            }
            catch (SocketException exception)
            {
                client.Dispose();
                throw new RedisConnectionException($"Cannot connect to Redis at {endpoint}: {exception.Message}", exception);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        /// <summary>
        /// A connect with a timeout that never needs the thread pool: a non-blocking connect, then poll(2)
        /// on this thread. (Blocking on ConnectAsync instead would let a burst of synchronous calls occupy
        /// every pool thread while the connect completions they wait for queue behind them.) Host names
        /// are resolved with the system resolver, which has its own timeouts.
        /// </summary>
        private static TcpClient Connect(RedisEndpoint endpoint, TimeSpan connectTimeout)
        {
            var deadline = Environment.TickCount64 + (long)connectTimeout.TotalMilliseconds;
            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(endpoint.Host, out var address) ? [address] : Dns.GetHostAddresses(endpoint.Host);
            }
            catch (SocketException exception)
            {
                throw new RedisConnectionException($"Cannot resolve the Redis host of {endpoint}: {exception.Message}", exception);
            }

            var failure = SocketError.HostNotFound;
            foreach (var address in addresses)
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    break;
                }
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    try
                    {
                        socket.Connect(new IPEndPoint(address, endpoint.Port));
                    }
                    catch (SocketException exception) when (exception.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                    {
                        // expected for a non-blocking connect: poll below
                    }
                    if (!socket.Poll(checked((int)Math.Min(remaining * 1000, int.MaxValue)), SelectMode.SelectWrite))
                    {
                        break; // the time is up
                    }
                    failure = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                    if (failure == SocketError.Success)
                    {
                        socket.Blocking = true;
                        return new TcpClient { Client = socket };
                    }
                }
                catch (SocketException exception)
                {
                    failure = exception.SocketErrorCode;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                socket.Dispose();
            }
            if (Environment.TickCount64 >= deadline)
            {
                throw new RedisConnectionException($"Connecting to Redis at {endpoint} timed out after {connectTimeout.TotalMilliseconds:0} ms.", isTimeout: true);
            }
            throw new RedisConnectionException($"Cannot connect to Redis at {endpoint}: {failure}.");
        }

        public async ValueTask<RespReply[]> ExecuteAsync(IReadOnlyList<object[]> commands, bool useAsync, CancellationToken cancellationToken)
        {
            _output.ResetWrittenCount();
            foreach (var command in commands)
            {
                RespWriter.WriteCommand(_output, command);
            }

            // The async path bounds the whole command (write and every read) with one timer.
            using var timeout = useAsync ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
            timeout?.CancelAfter(_commandTimeout);
            var token = timeout?.Token ?? CancellationToken.None;
            try
            {
                if (useAsync)
                {
                    await _stream.WriteAsync(_output.WrittenMemory, token).ConfigureAwait(false);
                }
                else
                {
                    _stream.Write(_output.WrittenSpan);
                }
                if (_output.Capacity > KeepWriteBuffer)
                {
                    _output = new ArrayBufferWriter<byte>(4096);
                }

                var replies = new RespReply[commands.Count];
                for (var i = 0; i < replies.Length; i++)
                {
                    replies[i] = await _reader.ReadAsync(useAsync, token).ConfigureAwait(false);
                }
                return replies;
            }
            catch (OperationCanceledException) when (useAsync && !cancellationToken.IsCancellationRequested)
            {
                throw new RedisConnectionException($"Redis did not answer within {_commandTimeout.TotalMilliseconds:0} ms.", isTimeout: true);
            }
            catch (IOException exception)
            {
                var timedOut = exception.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock };
                throw timedOut
                    ? new RedisConnectionException($"Redis did not answer within {_commandTimeout.TotalMilliseconds:0} ms (socket timeout).", exception, isTimeout: true)
                    : new RedisConnectionException($"The connection to Redis broke: {exception.Message}", exception);
            }
            catch (SocketException exception)
            {
                throw new RedisConnectionException($"The connection to Redis broke: {exception.Message}", exception, exception.SocketErrorCode == SocketError.TimedOut);
            }
            catch (ObjectDisposedException exception)
            {
                throw new RedisConnectionException("The connection to Redis was closed.", exception);
            }
        }

        public void Dispose()
        {
            _stream.Dispose();
            _client.Dispose();
        }
    }
}
