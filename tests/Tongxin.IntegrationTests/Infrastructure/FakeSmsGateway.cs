using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tongxin.IntegrationTests.Infrastructure;

// Also compiled into tests/Tongxin.LoadTests (linked, not copied): keep it free of xunit.

/// <summary>
/// An SMS gateway of the kind Chinese providers run, on loopback: it checks the request's signature, answers
/// <c>{"code":"OK","bizId":...}</c>, and drops a repeat of an out-id it has already delivered, as real gateways do.
/// It records every request, and can be told to fail (HTTP 500), to hang past the sender's timeout, or to refuse
/// given numbers as invalid.
/// </summary>
public sealed class FakeSmsGateway : IAsyncDisposable
{
    public enum Behaviour
    {
        Answer,
        Fail,
        Hang,
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SmsRequest> _received = new();
    private readonly ConcurrentDictionary<string, SmsRequest> _delivered = new();
    private readonly ConcurrentDictionary<string, int> _answeredOk = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public const string Secret = "fake-gateway-secret";

    private FakeSmsGateway(WebApplication app)
    {
        _app = app;
    }

    public volatile Behaviour Mode = Behaviour.Answer;

    /// <summary>Numbers this gateway answers as invalid (<c>isv.MOBILE_NUMBER_ILLEGAL</c>).</summary>
    public ConcurrentDictionary<string, byte> InvalidNumbers { get; } = new();

    public string Url => _app.Urls.First() + "/sms/send";

    /// <summary>Every request that arrived, in order, answered or not.</summary>
    public IReadOnlyList<SmsRequest> Received => _received.ToList();

    /// <summary>What reached a phone: one per out-id, however often it was sent.</summary>
    public IReadOnlyCollection<SmsRequest> Delivered => _delivered.Values.ToList();

    /// <summary>How often each out-id was answered OK: more than once means the sender sent again what had arrived.</summary>
    public IReadOnlyDictionary<string, int> AnsweredOk => new Dictionary<string, int>(_answeredOk);

    public static async Task<FakeSmsGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new FakeSmsGateway(app);
        app.MapPost("/sms/send", (Delegate)gateway.HandleAsync);
        await app.StartAsync();
        return gateway;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var json = JsonNode.Parse(body)!.AsObject();
        var signature = context.Request.Headers["X-Sms-Signature"].ToString();
        var request = new SmsRequest(
            json["outId"]!.GetValue<string>(), json["phoneNumbers"]!.GetValue<string>(), json["signName"]!.GetValue<string>(),
            json["templateCode"]!.GetValue<string>(),
            json["templateParam"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
            signature == Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)),
            Encoding.UTF8.GetString(body), _clock.Elapsed, DateTime.UtcNow);
        _received.Enqueue(request);
        switch (Mode)
        {
            case Behaviour.Fail:
                return Results.Text("{\"code\":\"isp.SYSTEM_ERROR\",\"message\":\"gateway down\"}", "application/json", statusCode: 500);
            case Behaviour.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                return Results.StatusCode(504);
        }
        if (!request.SignatureValid)
        {
            return Results.Json(new { code = "isv.SIGNATURE_INVALID", message = "bad signature" });
        }
        if (InvalidNumbers.ContainsKey(request.Phone))
        {
            return Results.Json(new { code = "isv.MOBILE_NUMBER_ILLEGAL", message = "invalid mobile number" });
        }
        _delivered.TryAdd(request.OutId, request);
        _answeredOk.AddOrUpdate(request.OutId, 1, (_, n) => n + 1);
        return Results.Json(new { code = "OK", message = "OK", bizId = "biz-" + request.OutId });
    }

    /// <summary>Time on this gateway's own clock, to compare with <see cref="SmsRequest.ReceivedAt"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public async Task<IReadOnlyList<SmsRequest>> WaitForAsync(Func<IReadOnlyCollection<SmsRequest>, bool> done, TimeSpan timeout, bool delivered = true)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = delivered ? Delivered : (IReadOnlyCollection<SmsRequest>)Received;
            if (done(seen))
            {
                return seen.ToList();
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The SMS gateway did not see what was awaited in {timeout.TotalSeconds} s; it saw {seen.Count}: {string.Join(" | ", seen.Select(s => s.Body))}");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _app.StopAsync(stop.Token);
        }
        await _app.DisposeAsync();
    }
}

/// <param name="Body">The request's JSON as sent (the privacy test reads all of it).</param>
/// <param name="ReceivedAtUtc">The wall clock at arrival, to compare with a notification's commit time (the load harness).</param>
public sealed record SmsRequest(
    string OutId, string Phone, string SignName, string TemplateCode, IReadOnlyDictionary<string, string> TemplateParam, bool SignatureValid, string Body,
    TimeSpan ReceivedAt, DateTime ReceivedAtUtc);
