using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tongxin.LoadTests;

/// <summary>A thin JSON client for the harnesses: fails loudly on an unexpected status.</summary>
internal sealed class LoadClient(Uri address)
{
    /// <summary>
    /// Connections per client (user) at most; <c>TONGXIN_LOAD_CONNECTIONS</c> changes it (default 256). A fixed-rate
    /// phase that falls behind opens up to this many: the host then serves more connections at once, as it would
    /// serve many users' browsers, rather than a proxy's small pool of upstream connections.
    /// </summary>
    public static readonly int Connections = int.Parse(Environment.GetEnvironmentVariable("TONGXIN_LOAD_CONNECTIONS") ?? "256", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bearer token after <see cref="LoginAsync"/> (for <see cref="RawHttp"/>).</summary>
    public string Token { get; private set; } = "";

    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = Connections }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };

    public static async Task<LoadClient> LoginAsync(Uri address, string userName, string password)
    {
        var client = new LoadClient(address);
        var token = await client.PostAsync("/api/auth/login", new { userName, password });
        client.Token = token["accessToken"]!.GetValue<string>();
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", client.Token);
        return client;
    }

    public async Task<JsonNode> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        return await ReadAsync(response, path);
    }

    public async Task<JsonNode> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return await ReadAsync(response, path);
    }

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response, string path)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        }
        return JsonNode.Parse(text) ?? new JsonObject();
    }

    public static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
