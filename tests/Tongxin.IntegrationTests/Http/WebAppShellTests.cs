using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Http;

/// <summary>
/// The web app installs on a phone and opens without a network (issue 18): a manifest with its icons, and a service
/// worker whose shell lists every file the app needs, each of which the host serves.
/// </summary>
public sealed partial class WebAppShellTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [GeneratedRegex(@"const VERSION = '([0-9a-f]{16})';")]
    private static partial Regex Version();

    [GeneratedRegex(@"const SHELL = (\[[^\]]*\]);")]
    private static partial Regex Shell();

    [Fact]
    public async Task TheServiceWorkerListsTheWholeShellAndEveryFileOfItIsServed()
    {
        var client = app.Anonymous().Http;
        using var response = await client.GetAsync("/sw.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, "the browser must check for a new service worker on every visit");
        var script = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("__SHELL", script, StringComparison.Ordinal);
        Assert.Matches(Version(), script);
        var shell = JsonSerializer.Deserialize<string[]>(Shell().Match(script).Groups[1].Value)!;
        Assert.Contains("/index.html", shell);
        Assert.Contains("/js/app.js", shell);
        Assert.Contains("/js/fieldcopy.js", shell);
        Assert.Contains("/i18n/zh-CN.json", shell);
        Assert.Contains("/manifest.webmanifest", shell);
        Assert.DoesNotContain("/sw.js", shell);
        // cache.addAll installs all or nothing: one missing file and the app would never open offline.
        foreach (var path in shell)
        {
            using var file = await client.GetAsync(path);
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"{path}: {file.StatusCode}");
        }
        // The same files, the same version (a deployment that changes one changes it: ServiceWorkerScript).
        Assert.Equal(Version().Match(script).Groups[1].Value, Version().Match(await client.GetStringAsync("/sw.js")).Groups[1].Value);
    }

    [Fact]
    public async Task TheShellIsSentCompressedButNoAnswerOfTheApiIs()
    {
        var client = app.Anonymous().Http;
        foreach (var path in new[] { "/js/app.js", "/css/style.css", "/i18n/zh-CN.json", "/sw.js" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.ParseAdd("br, gzip");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(response.Content.Headers.ContentEncoding, e => e is "br" or "gzip");
        }
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/modules");
        api.Headers.AcceptEncoding.ParseAdd("br, gzip");
        using var answer = await client.SendAsync(api);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Empty(answer.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task TheManifestMakesTheAppInstallableWithItsIcons()
    {
        var client = app.Anonymous().Http;
        using var response = await client.GetAsync("/manifest.webmanifest");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/manifest+json", response.Content.Headers.ContentType?.MediaType);
        var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("童心", manifest.GetProperty("short_name").GetString());
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        var icons = manifest.GetProperty("icons").EnumerateArray().ToList();
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "192x192");
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "512x512" && i.GetProperty("purpose").GetString() == "maskable");
        foreach (var icon in icons)
        {
            using var image = await client.GetAsync(icon.GetProperty("src").GetString());
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.StartsWith("image/", image.Content.Headers.ContentType?.MediaType);
        }
        Assert.Contains("rel=\"manifest\"", await client.GetStringAsync("/"));
    }
}
