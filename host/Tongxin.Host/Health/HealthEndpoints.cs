using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Health;

/// <summary><c>GET /health</c>: 200 when the database answers, 503 problem+json when it does not.</summary>
internal sealed class HealthEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (TongxinDbContext db, CancellationToken ct) =>
                await db.Database.CanConnectAsync(ct)
                    ? Results.Ok(new { status = "healthy" })
                    : Results.Problem(statusCode: 503, title: HostTexts.Local("problem.unavailable"), detail: HostTexts.Local("health.database")))
            .AllowAnonymous()
            .WithTags("Health")
            .WithSummary("Health: the database answers");
    }
}
