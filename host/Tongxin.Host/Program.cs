using Tongxin.Host.Composition;

// The host: configuration → services (database, modules, request pipeline, identity, HTTP) →
// start-up (migrate, first admin, demo data) → routes. Each step lives in Composition/TongxinHost.cs.
var demo = args.Contains("--demo");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--demo").ToArray());
if (demo)
{
    builder.Configuration["Demo:Enabled"] = "true";
}
builder.AddTongxinHost();

var app = builder.Build();
await app.UseTongxinHostAsync();
await app.RunAsync();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
