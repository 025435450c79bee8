using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.FileProviders;

namespace Tongxin.Host.FieldWork;

/// <summary>
/// <c>GET /sw.js</c>: the service worker of the web app (wwwroot/sw.js) with its shell filled in, the paths of every
/// file of the web root and a hash of their contents. The hash is the shell's version: when a deployment changes any
/// file, the browser sees a new sw.js, installs the new shell and deletes the old (docs/adr/0023-offline-field-work.md).
/// Built once per process: the web root does not change under a running host.
/// </summary>
internal sealed class ServiceWorkerScript(IWebHostEnvironment environment)
{
    public const string Path = "/sw.js";
    private readonly Lazy<byte[]> _script = new(() => Build(environment.WebRootFileProvider));

    public async Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = "text/javascript; charset=utf-8";
        // The browser checks it on every visit; a proxy must not hold an old one.
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(_script.Value, context.RequestAborted);
    }

    private static byte[] Build(IFileProvider webRoot)
    {
        var template = Read(webRoot.GetFileInfo(Path));
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        Collect(webRoot, "", files);
        files.Remove(Path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, bytes) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
            hash.AppendData(bytes);
        }
        var version = Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
        var script = Encoding.UTF8.GetString(template)
            .Replace("'__SHELL_VERSION__'", $"'{version}'", StringComparison.Ordinal)
            .Replace("__SHELL_FILES__", JsonSerializer.Serialize(files.Keys), StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(script);
    }

    private static void Collect(IFileProvider webRoot, string folder, SortedDictionary<string, byte[]> files)
    {
        foreach (var entry in webRoot.GetDirectoryContents(folder))
        {
            var path = $"{folder}/{entry.Name}";
            if (entry.IsDirectory)
            {
                Collect(webRoot, path, files);
            }
            else
            {
                files[path] = Read(entry);
            }
        }
    }

    private static byte[] Read(IFileInfo file)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The web root has no {file.Name}.");
        }
        using var stream = file.CreateReadStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
