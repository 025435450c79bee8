using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tongxin.BrowserTests.Infrastructure;

/// <summary>Plain HTTP against the host for test set-up (what the browser journeys start from), as the demo users.</summary>
public sealed class SetupApi(Uri address) : IDisposable
{
    public const string Password = "tongxin-demo";
    private readonly HttpClient _http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    private readonly Dictionary<string, string> _tokens = [];

    public async Task<string> TokenAsync(string user)
    {
        if (_tokens.TryGetValue(user, out var token))
        {
            return token;
        }
        var response = await _http.PostAsJsonAsync("/api/auth/login", new { userName = user, password = Password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return _tokens[user] = body.GetProperty("accessToken").GetString()!;
    }

    public Task<JsonElement> GetAsync(string user, string path) => SendAsync(user, HttpMethod.Get, path, null);

    public Task<JsonElement> PostAsync(string user, string path, object body, IReadOnlyDictionary<string, string>? headers = null) =>
        SendAsync(user, HttpMethod.Post, path, body, headers);

    private async Task<JsonElement> SendAsync(string user, HttpMethod method, string path, object? body, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(user));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} as {user}: {(int)response.StatusCode} {text}");
        }
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The id of the demo child with this given name, as the village's child director sees it.</summary>
    public async Task<string> ChildIdAsync(string givenName)
    {
        var page = await GetAsync("director", "/api/children?pageSize=100");
        return page.GetProperty("items").EnumerateArray()
            .First(child => child.GetProperty("givenName").GetString() == givenName)
            .GetProperty("id").GetString()!;
    }

    /// <summary>Polls the provider's offers until matching (which runs by itself) has made one for the need.</summary>
    public async Task<string> WaitForOfferAsync(string user, string needId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var offers = await GetAsync(user, "/api/offers?mine=true");
            var offer = offers.EnumerateArray().FirstOrDefault(o => o.GetProperty("needId").GetString() == needId);
            if (offer.ValueKind == JsonValueKind.Object)
            {
                return offer.GetProperty("id").GetString()!;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no offer to {user} for need {needId}");
            }
            await Task.Delay(250);
        }
    }

    public void Dispose() => _http.Dispose();
}
