using System.Diagnostics;
using Xunit;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// The sample legal-aid line (samples/Tongxin.Samples.LegalAid), built as a plug-in: the host has no reference to it and
/// loads the DLL from its plug-in folder, as a county would drop in a line of its own.
/// </summary>
public static class SamplePlugin
{
    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private static readonly object SharedGate = new();
    private static Task<string>? shared;

    /// <summary>One build for the whole run, for the in-process hosts (an assembly is loaded once per process anyway).</summary>
    public static Task<string> SharedFolderAsync()
    {
        lock (SharedGate)
        {
            return shared ??= BuildIntoAsync(Path.Combine(Directory.CreateTempSubdirectory("tongxin-legal-aid-").FullName, "plugins"));
        }
    }

    /// <summary>Builds the sample into <paramref name="pluginFolder"/> and returns it.</summary>
    public static async Task<string> BuildIntoAsync(string pluginFolder)
    {
        var project = Path.Combine(HostProcess.RepositoryRoot, "samples", "Tongxin.Samples.LegalAid", "Tongxin.Samples.LegalAid.csproj");
        await BuildLock.WaitAsync();
        try
        {
            var start = new ProcessStartInfo("dotnet", ["build", project, "-c", HostProcess.Configuration, "-o", pluginFolder, "--nologo", "-v", "q"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var build = Process.Start(start)!;
            var output = await build.StandardOutput.ReadToEndAsync() + await build.StandardError.ReadToEndAsync();
            await build.WaitForExitAsync();
            Assert.True(build.ExitCode == 0, "Building the sample plug-in failed:\n" + output);
        }
        finally
        {
            BuildLock.Release();
        }
        Assert.True(File.Exists(Path.Combine(pluginFolder, "Tongxin.Samples.LegalAid.dll")));
        return pluginFolder;
    }
}
