namespace Tongxin.Host.Demo;

/// <summary>The command line's <c>--demo=county</c>: the full demo county, on a SQLite file of its own unless told otherwise.</summary>
public static class DemoArguments
{
    public const string County = "--demo=county";

    /// <summary>
    /// Sets <c>Demo:County</c>. With SQLite and no connection string, the database is <c>data/tongxin-county.db</c> rather than
    /// <c>data/tongxin.db</c>: the small demo's database (same user names) stays as it is, and each demo starts on its own.
    /// </summary>
    public static void UseFullCounty(WebApplicationBuilder builder)
    {
        builder.Configuration["Demo:County"] = "true";
        var provider = builder.Configuration["Database:Provider"];
        if (string.IsNullOrWhiteSpace(builder.Configuration["Database:ConnectionString"])
            && (string.IsNullOrWhiteSpace(provider) || provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase)))
        {
            var data = Directory.CreateDirectory(Path.Combine(builder.Environment.ContentRootPath, "data")).FullName;
            builder.Configuration["Database:ConnectionString"] = $"Data Source={Path.Combine(data, "tongxin-county.db")}";
        }
    }
}
