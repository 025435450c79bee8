using System.Buffers;
using System.Text;

namespace Tongxin.Caching.Redis.Tests;

/// <summary>The RESP2 reader and writer on memory streams: no server.</summary>
public sealed class RespProtocolTests
{
    // One of each reply type, nulls, an empty bulk string, a binary bulk string holding CR, LF and zero
    // bytes, a negative integer, a nested array and an error.
    private static readonly byte[] Replies = Concat(
        "+OK\r\n",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ":42\r\n",
        ":-7\r\n",
        "$5\r\nhello\r\n",
        "$-1\r\n",
        "$0\r\n\r\n",
        "$6\r\na\r\n\0b\0\r\n",
        "*3\r\n$3\r\nfoo\r\n:1\r\n*2\r\n+x\r\n$-1\r\n",
        "*-1\r\n",
        "*0\r\n",
        "$6\r\n童心\r\n");

    [Fact]
    public async Task Reads_every_reply_type()
    {
        var reader = new RespReader(new MemoryStream(Replies));
        await AssertReplies(() => Task.FromResult(reader.Read())); // the synchronous Read, wrapped
    }

    [Fact]
    public async Task Reads_every_reply_type_asynchronously_when_the_stream_gives_one_byte_at_a_time()
    {
        // A tiny buffer and a trickling stream exercise refilling, compacting and growing the buffer.
        var reader = new RespReader(new TrickleStream(Replies), bufferSize: 16);
        await AssertReplies(() => reader.ReadAsync().AsTask());
    }

    [Fact]
    public void Reads_a_bulk_string_larger_than_the_buffer()
    {
        var payload = Bytes.Random(100_000, seed: 1);
        var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes($"${payload.Length}\r\n"));
        stream.Write(payload);
        stream.Write("\r\n:1\r\n"u8);
        stream.Position = 0;
        var reader = new RespReader(stream, bufferSize: 64);

        Assert.Equal(payload, reader.Read().Bulk);
        Assert.Equal(1, reader.Read().Integer);
    }

    [Theory]
    [InlineData("?what\r\n")]        // unknown type byte
    [InlineData(":12a\r\n")]         // not an integer
    [InlineData("$3\r\nabcd\r\n")]   // bulk string longer than announced
    [InlineData("+OK\n")]            // LF without CR
    [InlineData("$-2\r\n")]          // negative length other than -1
    public void A_malformed_reply_is_a_protocol_error(string wire)
    {
        var reader = new RespReader(new MemoryStream(Encoding.UTF8.GetBytes(wire)));
        var error = Assert.Throws<RedisConnectionException>(() => reader.Read());
        Assert.Contains("Protocol error", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+OK")]
    [InlineData("$5\r\nhel")]
    [InlineData("*2\r\n:1\r\n")]
    public async Task A_truncated_reply_means_the_connection_closed(string wire)
    {
        var reader = new RespReader(new MemoryStream(Encoding.UTF8.GetBytes(wire)));
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => reader.ReadAsync().AsTask());
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_replies_become_exceptions_only_when_asked()
    {
        var reply = new RespReader(new MemoryStream("-ERR unknown command 'NOPE'\r\n"u8.ToArray())).Read();
        Assert.True(reply.IsError);
        Assert.Equal("ERR unknown command 'NOPE'", reply.Text);
        var error = Assert.Throws<RedisServerException>(() => reply.ThrowIfError());
        Assert.Equal("ERR unknown command 'NOPE'", error.Message);
    }

    [Fact]
    public void Writes_commands_as_arrays_of_bulk_strings()
    {
        var output = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(output, ["SET", "k童", new byte[] { 0, 13, 10 }, 1234L, -5, new ReadOnlyMemory<byte>("xy"u8.ToArray())]);

        var expected = Concat("*6\r\n", "$3\r\nSET\r\n", "$4\r\nk童\r\n", "$3\r\n\0\r\n\r\n", "$4\r\n1234\r\n", "$2\r\n-5\r\n", "$2\r\nxy\r\n");
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Refuses_arguments_it_cannot_encode()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => RespWriter.WriteCommand(output, ["SET", 1.5]));
        Assert.Throws<ArgumentException>(() => RespWriter.WriteCommand(output, []));
    }

    [Theory]
    [InlineData("localhost", "localhost", 6379, null, null, 0)]
    [InlineData("127.0.0.1:6380", "127.0.0.1", 6380, null, null, 0)]
    [InlineData("[::1]:7000,defaultDatabase=3", "::1", 7000, null, null, 3)]
    [InlineData("redis.internal:6379, password=s3cret , defaultDatabase=2", "redis.internal", 6379, null, "s3cret", 2)]
    [InlineData("h:1,user=app,password=pw", "h", 1, "app", "pw", 0)]
    public void Parses_configuration_strings(string text, string host, int port, string? user, string? password, int database)
    {
        Assert.Equal(new RedisEndpoint(host, port, user, password, database), RedisEndpoint.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    [InlineData("host:6379,ssl=true")]          // refused, not silently ignored
    [InlineData("host:6379,defaultDatabase=-1")]
    [InlineData("host:6379,user=app")]          // a user needs a password
    [InlineData("[::1:6379")]
    public void Refuses_bad_configuration_strings(string text)
    {
        Assert.Throws<FormatException>(() => RedisEndpoint.Parse(text));
    }

    [Fact]
    public void The_endpoint_shown_in_logs_never_contains_the_password()
    {
        var endpoint = RedisEndpoint.Parse("cache:6379,password=s3cret,defaultDatabase=1");
        Assert.Equal("cache:6379/1", endpoint.ToString());
    }

    private static async Task AssertReplies(Func<Task<RespReply>> next)
    {
        var ok = await next();
        Assert.Equal(RespType.SimpleString, ok.Type);
        Assert.Equal("OK", ok.Text);

        var error = await next();
        Assert.Equal(RespType.Error, error.Type);
        Assert.StartsWith("WRONGTYPE", error.Text, StringComparison.Ordinal);

        Assert.Equal(42, (await next()).Integer);
        var negative = await next();
        Assert.Equal(RespType.Integer, negative.Type);
        Assert.Equal(-7, negative.Integer);

        var hello = await next();
        Assert.Equal(RespType.BulkString, hello.Type);
        Assert.Equal("hello", hello.AsString());

        var nullBulk = await next();
        Assert.Equal(RespType.BulkString, nullBulk.Type);
        Assert.True(nullBulk.IsNull);
        Assert.Null(nullBulk.Bulk);

        var empty = await next();
        Assert.False(empty.IsNull);
        Assert.Empty(empty.Bulk!);

        Assert.Equal(new byte[] { (byte)'a', 13, 10, 0, (byte)'b', 0 }, (await next()).Bulk);

        var array = await next();
        Assert.Equal(RespType.Array, array.Type);
        Assert.Equal(3, array.Items!.Count);
        Assert.Equal("foo", array.Items[0].AsString());
        Assert.Equal(1, array.Items[1].Integer);
        Assert.Equal("x", array.Items[2].Items![0].Text);
        Assert.True(array.Items[2].Items![1].IsNull);

        var nullArray = await next();
        Assert.Equal(RespType.Array, nullArray.Type);
        Assert.True(nullArray.IsNull);
        Assert.Null(nullArray.Items);

        Assert.Empty((await next()).Items!);
        Assert.Equal("童心", (await next()).AsString());
    }

    private static byte[] Concat(params string[] parts) => Encoding.UTF8.GetBytes(string.Concat(parts));

    /// <summary>Returns at most one byte per read, as a slow network might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);
    }
}
