using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// A real SMTP server on loopback (the SmtpServer library), keeping every mail it accepts as parsed by MimeKit. Addresses
/// ending in <c>@refused.test</c> are refused at RCPT TO with a 5xx, as a server refuses an unknown mailbox.
/// </summary>
public sealed class LocalSmtpServer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<MimeMessage> _messages = new();

    private LocalSmtpServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_messages));
        services.Add(new DelegatingMailboxFilter((IMailbox to, IMailbox _) => !to.Host.Equals("refused.test", StringComparison.OrdinalIgnoreCase)));
        var server = new SmtpServer.SmtpServer(options, services);
        _ = server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Messages => _messages.ToList();

    public static LocalSmtpServer Start() => new(HostProcess.FreePort());

    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(Func<IReadOnlyList<MimeMessage>, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done(Messages))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The SMTP server did not receive what was awaited in {timeout.TotalSeconds} s; it has {Messages.Count} mails.");
            }
            await Task.Delay(50);
        }
        return Messages;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
