using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tongxin.LoadTests;

/// <summary>A thin JSON client for the harnesses: fails loudly on an unexpected status.</summary>
internal sealed class LoadClient(Uri address)
{
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };

    public static async Task<LoadClient> LoginAsync(Uri address, string userName, string password)
    {
        var client = new LoadClient(address);
        var token = await client.PostAsync("/api/auth/login", new { userName, password });
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token["accessToken"]!.GetValue<string>());
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
