using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediatR;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Tongxin.Host.Requests;

/// <summary>
/// The body fields of this HTTP request that could not be read (field → messages), kept for
/// <see cref="ValidationBehaviour{TRequest,TResponse}"/> to answer together with the validator's errors. Scoped: one per
/// request; background work gets its own, empty.
/// </summary>
internal sealed class BodyBindFailures
{
    private Dictionary<string, string[]> _errors = [];

    public void Record(Dictionary<string, string[]> errors) => _errors = errors;

    /// <summary>The failures, once: whoever takes them must answer 400 with them.</summary>
    public Dictionary<string, string[]> Take()
    {
        var errors = _errors;
        _errors = [];
        return errors;
    }
}

/// <summary>
/// When a request's JSON body does not bind, reads it again field by field (<see cref="UnreadableFields"/>), takes the
/// unreadable fields out, records them in <see cref="BodyBindFailures"/> and runs the endpoint once more on what is
/// left: the MediatR pipeline then authorizes as usual and answers one 400 naming the unreadable fields and every
/// field the validator refuses (docs/adr/0018-all-field-errors-at-once.md). A body that binds costs only its buffering.
/// </summary>
internal static class FieldByFieldBinding
{
    public static IApplicationBuilder UseFieldByFieldBinding(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var bodyType = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        // Only bodies that are MediatR requests: their pipeline's ValidationBehaviour is sure to report what was taken
        // out. Any other body keeps the binder's own answer (the first bad field), never a body with fields missing.
        if (bodyType is null || !typeof(IBaseRequest).IsAssignableFrom(bodyType) || !context.Request.HasJsonContentType())
        {
            await next(context);
            return;
        }
        context.Request.EnableBuffering();
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException bad) when (bad.InnerException is JsonException && !context.Response.HasStarted)
        {
            var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var (remaining, failures) = await ReadFieldByFieldAsync(context.Request, bodyType, options);
            if (failures.Count == 0)
            {
                // Not a field's fault (malformed JSON, a body that is not an object): the binder's answer stands.
                ExceptionDispatchInfo.Throw(bad);
            }
            context.RequestServices.GetRequiredService<BodyBindFailures>().Record(failures);
            context.Request.Body = new MemoryStream(remaining);
            context.Request.ContentLength = remaining.Length;
            await next(context);
        }
    });

    private static async Task<(byte[] Remaining, Dictionary<string, string[]> Failures)> ReadFieldByFieldAsync(
        HttpRequest request, Type bodyType, JsonSerializerOptions options)
    {
        request.Body.Position = 0;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(buffer.ToArray()) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
        {
            return ([], []);
        }
        var failures = UnreadableFields.Remove(body, bodyType, options);
        return (JsonSerializer.SerializeToUtf8Bytes(body, options), failures);
    }
}
