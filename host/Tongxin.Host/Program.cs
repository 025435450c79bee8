using Tongxin.Host.Composition;
using Tongxin.Host.Demo;

// The host: configuration → services (database, modules, request pipeline, identity, HTTP) →
// start-up (migrate, first admin, demo data) → routes. Each step lives in Composition/TongxinHost.cs.
var demo = args.Contains("--demo");
var countyDemo = args.Contains(DemoArguments.County);
// Configuration files are read at start and not watched: the SQLite database lives under the content root (data/),
// and a watcher on the content root is woken by every write to it (measured: ~7 % of a read's allocations under
// load). The argument --hostBuilder:reloadConfigOnChange=true watches them again.
var arguments = args.Where(a => a != "--demo" && a != DemoArguments.County).Prepend("--hostBuilder:reloadConfigOnChange=false").ToArray();
// The web app ships in wwwroot beside the built DLL as well, so `dotnet Tongxin.Host.dll` from any folder serves it.
var besideDll = Path.Combine(AppContext.BaseDirectory, "wwwroot");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = arguments,
    WebRootPath = !Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot")) && Directory.Exists(besideDll) ? besideDll : null,
});
if (demo)
{
    builder.Configuration["Demo:Enabled"] = "true";
}
if (countyDemo)
{
    DemoArguments.UseFullCounty(builder);
}
builder.AddTongxinHost();

var app = builder.Build();
await app.UseTongxinHostAsync();
await app.RunAsync();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
