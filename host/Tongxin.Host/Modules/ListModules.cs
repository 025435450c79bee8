using MediatR;
using Tongxin.Host.Requests;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Modules;

/// <summary><c>GET /api/modules</c> (anonymous): the service lines this host offers, with their form fields.</summary>
[AnonymousRequest]
[NotAudited("The anonymous catalogue of service lines and their form fields: no personal data.")]
public sealed record ListModules : IRequest<IReadOnlyList<ModuleView>>;

public sealed record ModuleView(
    string Key,
    string Name,
    string NameZh,
    string NameEn,
    string Version,
    string Description,
    bool Plugin,
    IReadOnlyList<FieldView> NeedDetails,
    IReadOnlyList<FieldView> ProviderOffer);

public sealed record FieldView(string Name, string Kind, string Label, bool Required, IReadOnlyList<string>? AllowedValues, IReadOnlyDictionary<string, string>? ValueLabels, int? Min, int? Max, int? MaxLength);

internal sealed class ListModulesHandler(ModuleCatalog catalog) : IRequestHandler<ListModules, IReadOnlyList<ModuleView>>
{
    public Task<IReadOnlyList<ModuleView>> Handle(ListModules request, CancellationToken cancellationToken)
    {
        IReadOnlyList<ModuleView> views = catalog.All.Select(loaded =>
        {
            var info = loaded.Module.Info;
            return new ModuleView(
                info.Key,
                info.Name.ForCurrentCulture(),
                info.NameZh,
                info.NameEn,
                info.Version,
                info.Description.ForCurrentCulture(),
                loaded.FromPluginFolder,
                loaded.Module.NeedDetailsSchema.Select(ToView).ToList(),
                loaded.Module.ProviderOfferSchema.Select(ToView).ToList());
        }).ToList();
        return Task.FromResult(views);
    }

    private static FieldView ToView(FieldSpec field) => new(
        field.Name,
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(field.Kind.ToString()),
        field.Label.ForCurrentCulture(),
        field.Required,
        field.AllowedValues,
        field.ValueLabels?.ToDictionary(v => v.Key, v => v.Value.ForCurrentCulture()),
        field.Min,
        field.Max,
        field.MaxLength);
}

internal sealed class ModuleEndpoints(ModuleCatalog catalog) : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/modules", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListModules(), ct)))
            .AllowAnonymous()
            .WithTags("Modules")
            .WithSummary("The service lines loaded in this host");

        // Each module's own endpoints live under /api/lines/{key}.
        foreach (var loaded in catalog.All)
        {
            var group = app.MapGroup($"/api/lines/{loaded.Module.Info.Key}").WithTags($"Line: {loaded.Module.Info.Key}").RequireAuthorization();
            loaded.Module.MapEndpoints(group);
        }
    }
}
