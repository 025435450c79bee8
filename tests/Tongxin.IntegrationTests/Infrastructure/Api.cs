using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>An HTTP client as an outside caller uses the API: JSON in, JSON or problem+json out.</summary>
public sealed class Api(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public async Task LoginAsync(string userName, string password)
    {
        var response = await PostAsync("/api/auth/login", new { userName, password });
        response.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("Bearer", response.Json!["tokenType"]!.GetValue<string>());
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", response.Json["accessToken"]!.GetValue<string>());
    }

    public Task<ApiResponse> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<ApiResponse> PostAsync(string path, object body) => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) });

    public Task<ApiResponse> PutAsync(string path, object body) => SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) });

    public Task<ApiResponse> PatchAsync(string path, object body) => SendAsync(new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(body) });

    public Task<ApiResponse> PostBytesAsync(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });
    }

    public Task<ApiResponse> PostRawAsync(string path, string body, string contentType = "application/json") =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) });

    public async Task<ApiResponse> SendAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json") == true)
        {
            json = JsonNode.Parse(text);
        }
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, json);
    }
}

public sealed record ApiResponse(HttpStatusCode Status, string? ContentType, string Body, JsonNode? Json)
{
    public ApiResponse AssertStatus(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"Expected {(int)expected} {expected}, got {(int)Status} {Status}: {Body}");
        return this;
    }

    /// <summary>An RFC 9457 problem with this status, and no trace of server internals.</summary>
    public ApiResponse AssertProblem(HttpStatusCode expected)
    {
        AssertStatus(expected);
        Assert.Equal("application/problem+json", ContentType);
        Assert.Equal((int)expected, Json!["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(Json["title"]?.GetValue<string>()), "A problem has a title.");
        Assert.DoesNotContain("   at ", Body);
        Assert.DoesNotContain("Exception", Body);
        Assert.DoesNotContain("Tongxin.Host", Body);
        return this;
    }

    /// <summary>A 400 problem whose <c>errors</c> name exactly these fields.</summary>
    public ApiResponse AssertFieldErrors(params string[] fields)
    {
        AssertProblem(HttpStatusCode.BadRequest);
        var errors = Json!["errors"]!.AsObject();
        Assert.Equal(fields.OrderBy(f => f), errors.Select(e => e.Key).OrderBy(f => f));
        foreach (var (_, messages) in errors)
        {
            Assert.NotEmpty(messages!.AsArray());
        }
        return this;
    }

    /// <summary>The problem's <c>errors</c> name exactly these fields (any status: a 422 names the fields a rule refused).</summary>
    public ApiResponse AssertErrorsOn(params string[] fields)
    {
        Assert.Equal(fields.OrderBy(f => f), Json!["errors"]!.AsObject().Select(e => e.Key).OrderBy(f => f));
        return this;
    }

    public string Id => Json!["id"]!.GetValue<string>();

    /// <summary>Every property name and string value in a JSON tree, decoded, to assert what a caller can or cannot see.</summary>
    public static IEnumerable<string> Texts(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    yield return name;
                    foreach (var text in Texts(value))
                    {
                        yield return text;
                    }
                }
                break;
            case JsonArray array:
                foreach (var text in array.SelectMany(Texts))
                {
                    yield return text;
                }
                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                yield return s;
                break;
        }
    }

    /// <summary>Neither a field name nor any value mentions what the caller must not see.</summary>
    public static void AssertNothingOf(JsonNode? node, params string[] forbidden)
    {
        var texts = Texts(node).ToList();
        foreach (var word in forbidden)
        {
            Assert.DoesNotContain(texts, t => t.Contains(word, StringComparison.Ordinal));
        }
    }

    public T Get<T>(string property) => Json![property]!.GetValue<T>();

    public JsonArray Array => Json!.AsArray();

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);
}

public static class HostProcessClients
{
    public static Api Client(this HostProcess host) => new(new HttpClient { BaseAddress = host.Address });
}
