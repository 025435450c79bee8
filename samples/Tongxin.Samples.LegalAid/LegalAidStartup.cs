using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Modules.Contracts;

namespace Tongxin.Samples.LegalAid;

/// <summary>
/// The line's own services. Its context, handlers and validators need nothing here (the host finds them); this is
/// where a line's options would be read. The case limit shows it: <c>Modules:legal-aid:OpenCasesPerChild</c>.
/// </summary>
public sealed class LegalAidStartup : IServiceLineStartup
{
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        services.Configure<LegalAidOptions>(configuration.GetSection("Modules:legal-aid"));
}

public sealed class LegalAidOptions
{
    /// <summary>Open cases a child may have at once: a second one for the same matter is a mistake, not a need.</summary>
    public int OpenCasesPerChild { get; set; } = 3;
}
