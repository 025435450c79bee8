using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Tongxin.Caching.Redis;

// The wire format: RESP2, the protocol every Redis since 2.0 speaks (https://redis.io/docs/reference/protocol-spec/).
// Only what a client needs: it WRITES commands as arrays of bulk strings, and READS the five reply
// types. RESP3 (HELLO 3, maps, doubles, pushes) is never asked for, so the server never sends it.
//
// Both directions work on a plain Stream so that the parser can be tested over a MemoryStream and the
// connection can use a NetworkStream. The reader has one code path for sync and async callers: it
// takes a `useAsync` flag, and with `useAsync: false` every await inside completes synchronously, so a
// synchronous IDistributedCache.Get really blocks on the socket instead of doing sync-over-async.

/// <summary>The five RESP2 reply types.</summary>
public enum RespType
{
    /// <summary><c>+OK\r\n</c></summary>
    SimpleString,

    /// <summary><c>-ERR message\r\n</c>: the server refused the command; the connection stays usable.</summary>
    Error,

    /// <summary><c>:42\r\n</c></summary>
    Integer,

    /// <summary><c>$5\r\nhello\r\n</c>, or <c>$-1\r\n</c> (null: e.g. GET of a missing key).</summary>
    BulkString,

    /// <summary><c>*2\r\n...</c>, or <c>*-1\r\n</c> (null: e.g. EXEC of an aborted transaction).</summary>
    Array,
}

/// <summary>One reply from the server. Immutable.</summary>
public sealed class RespReply
{
    private static readonly RespReply NullBulkValue = new(RespType.BulkString, null, 0, null, null, isNull: true);
    private static readonly RespReply NullArrayValue = new(RespType.Array, null, 0, null, null, isNull: true);

    private RespReply(RespType type, string? text, long integer, byte[]? bulk, IReadOnlyList<RespReply>? items, bool isNull)
    {
        Type = type;
        Text = text;
        Integer = integer;
        Bulk = bulk;
        Items = items;
        IsNull = isNull;
    }

    public RespType Type { get; }

    /// <summary>True for the null bulk string (<c>$-1</c>) and the null array (<c>*-1</c>).</summary>
    public bool IsNull { get; }

    /// <summary>The text of a simple string or of an error.</summary>
    public string? Text { get; }

    /// <summary>The value of an integer reply.</summary>
    public long Integer { get; }

    /// <summary>The bytes of a non-null bulk string (binary-safe: may hold zero bytes and CR/LF).</summary>
    public byte[]? Bulk { get; }

    /// <summary>The elements of a non-null array.</summary>
    public IReadOnlyList<RespReply>? Items { get; }

    public bool IsError => Type == RespType.Error;

    public static RespReply Simple(string text) => new(RespType.SimpleString, text, 0, null, null, false);
    public static RespReply Error(string message) => new(RespType.Error, message, 0, null, null, false);
    public static RespReply FromInteger(long value) => new(RespType.Integer, null, value, null, null, false);
    public static RespReply FromBulk(byte[]? bytes) => bytes is null ? NullBulkValue : new(RespType.BulkString, null, 0, bytes, null, false);
    public static RespReply FromArray(IReadOnlyList<RespReply>? items) => items is null ? NullArrayValue : new(RespType.Array, null, 0, null, items, false);

    /// <summary>Throws <see cref="RedisServerException"/> when this is an error reply; returns itself otherwise.</summary>
    public RespReply ThrowIfError() => IsError ? throw new RedisServerException(Text ?? "ERR") : this;

    /// <summary>The reply as text: simple string, error, integer, or a bulk string decoded as UTF-8; null for nulls and arrays.</summary>
    public string? AsString() => Type switch
    {
        RespType.SimpleString or RespType.Error => Text,
        RespType.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RespType.BulkString => Bulk is null ? null : Encoding.UTF8.GetString(Bulk),
        _ => null,
    };

    public override string ToString() => Type switch
    {
        RespType.Array => IsNull ? "(nil array)" : $"[{string.Join(", ", Items!)}]",
        RespType.BulkString when IsNull => "(nil)",
        RespType.BulkString => $"\"{AsString()}\"",
        RespType.Error => $"(error) {Text}",
        _ => AsString() ?? "",
    };
}

/// <summary>Base class of everything this client throws on purpose.</summary>
public class RedisException : Exception
{
    public RedisException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The server answered with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>, <c>-OOM ...</c>).
/// The connection is fine; the command was refused.</summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException(string message) : base(message) { }
}

/// <summary>The server could not be reached or used: connect refused or timed out, the connection broke,
/// a command timed out, the reply was not RESP, or AUTH/SELECT was refused. The connection it happened
/// on is thrown away. <see cref="RedisDistributedCache"/> treats this as "Redis is down".</summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(string message, Exception? inner = null, bool isTimeout = false) : base(message, inner) => IsTimeout = isTimeout;

    /// <summary>True when the server did not answer in time (as opposed to refusing or closing the connection).</summary>
    public bool IsTimeout { get; }
}

/// <summary>Encodes commands: a RESP array of bulk strings, which every Redis command accepts.</summary>
public static class RespWriter
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>
    /// Appends one command to <paramref name="output"/>. Each argument is a <see cref="string"/> (sent as
    /// UTF-8), a <see cref="byte"/> array or <see cref="ReadOnlyMemory{T}"/> of bytes (sent as is), or an
    /// <see cref="int"/>/<see cref="long"/> (sent as its decimal text, as Redis expects).
    /// </summary>
    public static void WriteCommand(IBufferWriter<byte> output, IReadOnlyList<object> arguments)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("A command needs at least its name.", nameof(arguments));
        }

        WriteHeader(output, (byte)'*', arguments.Count);
        foreach (var argument in arguments)
        {
            switch (argument)
            {
                case string text:
                    var length = Encoding.UTF8.GetByteCount(text);
                    WriteHeader(output, (byte)'$', length);
                    Encoding.UTF8.GetBytes(text, output);
                    output.Write(Crlf);
                    break;
                case byte[] bytes:
                    WriteBulk(output, bytes);
                    break;
                case ReadOnlyMemory<byte> memory:
                    WriteBulk(output, memory.Span);
                    break;
                case long number:
                    WriteNumber(output, number);
                    break;
                case int number:
                    WriteNumber(output, number);
                    break;
                default:
                    throw new ArgumentException($"Unsupported argument type {argument?.GetType().Name ?? "null"}: use string, byte[], ReadOnlyMemory<byte>, int or long.", nameof(arguments));
            }
        }
    }

    private static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteHeader(output, (byte)'$', bytes.Length);
        output.Write(bytes);
        output.Write(Crlf);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long number)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(number, digits, out var written);
        WriteBulk(output, digits[..written]);
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, long count)
    {
        // prefix + up to 20 digits + CRLF
        var span = output.GetSpan(23);
        span[0] = prefix;
        Utf8Formatter.TryFormat(count, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }
}

/// <summary>
/// Reads RESP2 replies from a stream, with its own read buffer (a reply header is found by scanning for
/// CRLF, so reading byte by byte from the stream would be slow). Not thread-safe: one reader per connection.
/// </summary>
public sealed class RespReader
{
    // Limits that keep a confused or hostile peer from making us allocate without bound.
    private const int MaxLineLength = 64 * 1024;            // status lines, errors, lengths
    private const long MaxBulkLength = 512L * 1024 * 1024;  // Redis' own proto-max-bulk-len default
    private const int MaxArrayLength = 16 * 1024 * 1024;
    private const int MaxDepth = 32;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start; // first unread byte in _buffer
    private int _end;   // one past the last buffered byte

    public RespReader(Stream stream, int bufferSize = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Reads one reply, blocking on the stream.</summary>
    public RespReply Read()
    {
        var pending = ReadCoreAsync(useAsync: false, 0, CancellationToken.None);
        // With useAsync false nothing inside awaits anything incomplete: the value is already there.
        return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Reads one reply asynchronously.</summary>
    public ValueTask<RespReply> ReadAsync(CancellationToken cancellationToken = default) => ReadCoreAsync(useAsync: true, 0, cancellationToken);

    internal ValueTask<RespReply> ReadAsync(bool useAsync, CancellationToken cancellationToken) => ReadCoreAsync(useAsync, 0, cancellationToken);

    private async ValueTask<RespReply> ReadCoreAsync(bool useAsync, int depth, CancellationToken cancellationToken)
    {
        var (prefix, line) = await ReadLineAsync(useAsync, cancellationToken).ConfigureAwait(false);
        switch (prefix)
        {
            case (byte)'+':
                return RespReply.Simple(line);
            case (byte)'-':
                return RespReply.Error(line);
            case (byte)':':
                return RespReply.FromInteger(ParseInteger(line));
            case (byte)'$':
            {
                var length = ParseInteger(line);
                if (length == -1)
                {
                    return RespReply.FromBulk(null);
                }
                if (length < 0 || length > MaxBulkLength)
                {
                    throw Protocol($"bulk string length {length} out of range");
                }
                var data = await ReadBulkAsync((int)length, useAsync, cancellationToken).ConfigureAwait(false);
                return RespReply.FromBulk(data);
            }
            case (byte)'*':
            {
                var count = ParseInteger(line);
                if (count == -1)
                {
                    return RespReply.FromArray(null);
                }
                if (count < 0 || count > MaxArrayLength)
                {
                    throw Protocol($"array length {count} out of range");
                }
                if (depth >= MaxDepth)
                {
                    throw Protocol("arrays nested too deeply");
                }
                var items = new RespReply[count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = await ReadCoreAsync(useAsync, depth + 1, cancellationToken).ConfigureAwait(false);
                }
                return RespReply.FromArray(items);
            }
            default:
                throw Protocol($"unexpected reply type byte 0x{prefix:x2}");
        }
    }

    /// <summary>Reads "Xtext\r\n" and returns X and the text (ASCII/UTF-8) without CRLF.</summary>
    private async ValueTask<(byte Prefix, string Line)> ReadLineAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var scanFrom = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (newline >= 0)
            {
                var lineEnd = newline - 1; // the '\r'
                if (lineEnd < _start + 1 || _buffer[lineEnd] != (byte)'\r')
                {
                    throw Protocol("line not terminated by CRLF");
                }
                var prefix = _buffer[_start];
                var text = Encoding.UTF8.GetString(_buffer, _start + 1, lineEnd - _start - 1);
                _start = newline + 1;
                return (prefix, text);
            }
            if (_end - _start >= MaxLineLength)
            {
                throw Protocol("reply line too long");
            }
            scanFrom = _end;
            var shift = _start;
            await FillAsync(useAsync, cancellationToken).ConfigureAwait(false);
            scanFrom -= shift - _start; // FillAsync may have moved the unread bytes to the front
        }
    }

    private async ValueTask<byte[]> ReadBulkAsync(int length, bool useAsync, CancellationToken cancellationToken)
    {
        var data = new byte[length];
        // What is already buffered first, then straight from the stream into the result (a 1 MiB value
        // is not copied through the 16 KiB buffer).
        var copied = Math.Min(length, _end - _start);
        Buffer.BlockCopy(_buffer, _start, data, 0, copied);
        _start += copied;
        while (copied < length)
        {
            var read = useAsync
                ? await _stream.ReadAsync(data.AsMemory(copied), cancellationToken).ConfigureAwait(false)
                : _stream.Read(data, copied, length - copied);
            if (read == 0)
            {
                throw Closed();
            }
            copied += read;
        }
        while (_end - _start < 2)
        {
            await FillAsync(useAsync, cancellationToken).ConfigureAwait(false);
        }
        if (_buffer[_start] != (byte)'\r' || _buffer[_start + 1] != (byte)'\n')
        {
            throw Protocol("bulk string not terminated by CRLF");
        }
        _start += 2;
        return data;
    }

    /// <summary>Reads at least one more byte into the buffer, compacting or growing it first if it is full.</summary>
    private async ValueTask FillAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        var read = useAsync
            ? await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false)
            : _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            throw Closed();
        }
        _end += read;
    }

    private static long ParseInteger(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Protocol($"'{text}' is not an integer");

    private static RedisConnectionException Protocol(string what) => new($"Protocol error: {what}.");

    private static RedisConnectionException Closed() => new("The connection was closed by the server.");
}
