using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Http;

/// <summary>The OpenAPI document describes every route the host serves.</summary>
public sealed class OpenApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task TheDocumentListsEveryRouteOfTheHost()
    {
        var document = (await app.Anonymous().GetAsync("/openapi/v1.json")).AssertStatus(HttpStatusCode.OK);
        var paths = document.Json!["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        var endpoints = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(p => !p.StartsWith("/openapi", StringComparison.Ordinal))
            .ToHashSet();
        Assert.NotEmpty(endpoints);
        Assert.Contains("/api/children/{id}", endpoints);
        foreach (var endpoint in endpoints)
        {
            Assert.True(paths.Contains(endpoint), $"{endpoint} is not in /openapi/v1.json");
        }
    }
}
