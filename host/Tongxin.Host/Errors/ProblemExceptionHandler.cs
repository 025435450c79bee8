using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Text;

namespace Tongxin.Host.Errors;

/// <summary>
/// Turns every exception into RFC 9457 problem+json. Known exceptions keep their meaning
/// (400/403/404/409/422); anything else becomes a 500 that names only a trace id: no stack trace,
/// no message from inside ever reaches a client.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem.Status == 503)
        {
            // The database is down, or a grain's host is being replaced: every request says so until it is back; one
            // line each, not a stack trace each.
            logger.LogWarning("Unavailable; {Method} {Path} answered 503 ({Error}).", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        }
        else if (problem.Status >= 500)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (RetryAfter(exception, problem) is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails ToProblem(Exception exception) => exception switch
    {
        RequestValidationException e => Validation(e.Errors),
        BadHttpRequestException { InnerException: JsonException json } => Validation(FromJsonException(json)),
        BadHttpRequestException e when e.StatusCode == StatusCodes.Status415UnsupportedMediaType =>
            Problem(415, "problem.unsupportedMediaType", HostTexts.Local("problem.unsupportedMediaType.detail")),
        BadHttpRequestException e when e.Message.Contains("body", StringComparison.OrdinalIgnoreCase) =>
            Validation(new Dictionary<string, string[]> { ["$"] = [HostTexts.Local("json.bodyMissing")] }),
        BadHttpRequestException e when BoundParameter(e.Message) is { } parameter =>
            Validation(new Dictionary<string, string[]> { [parameter] = [HostTexts.Local("json.wrongValue")] }),
        BadHttpRequestException e => Problem(e.StatusCode, "problem.badRequest", HostTexts.Local("problem.badRequest.detail")),
        UnauthenticatedException e => Problem(401, "problem.unauthenticated", e.Message),
        TooManyRequestsException e => Problem(429, "problem.tooMany", e.Message),
        AccessDeniedException e => Problem(403, "problem.forbidden", e.Message),
        NotFoundException e => Problem(404, "problem.notFound", e.Message),
        ConflictException e => WithField(Problem(409, "problem.conflict", e.Message), e.Field, e.Message),
        DbUpdateConcurrencyException => Problem(409, "problem.conflict", HostTexts.Local("conflict.staleVersion")),
        RuleViolationException e => WithErrors(Problem(422, "problem.rule", e.Message), e.Errors),
        LineRuleException e => WithField(Problem(422, "problem.rule", e.Message), e.Field, e.Message),
        ServiceUnavailableException e => Problem(503, "problem.unavailable", e.Message),
        OperationCanceledException => Problem(499, "problem.cancelled", HostTexts.Local("problem.cancelled")),
        _ when DatabaseUnavailable(exception) => Problem(503, "problem.unavailable", HostTexts.Local("health.database")),
        _ when Grains.GrainFaults.IsUnreachable(exception) => Problem(503, "problem.unavailable", HostTexts.Local("cluster.moving")),
        _ => Problem(500, "problem.internal", HostTexts.Local("problem.internal.detail")),
    };

    /// <summary>When the client may try again: after a limit (429), or once the database or the cluster is back (503).</summary>
    private static TimeSpan? RetryAfter(Exception exception, ProblemDetails problem) => exception switch
    {
        TooManyRequestsException e => e.RetryAfter,
        ServiceUnavailableException e => e.RetryAfter,
        _ when problem.Status == 503 => Grains.GrainFaults.RetryAfter,
        _ => null,
    };

    private static ProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors)
    {
        var problem = Problem(400, "problem.validation", HostTexts.Local("problem.validation.detail", string.Join(", ", errors.Keys)));
        problem.Extensions["errors"] = errors;
        return problem;
    }

    private static ProblemDetails WithErrors(ProblemDetails problem, IReadOnlyDictionary<string, string[]>? errors)
    {
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }
        return problem;
    }

    private static ProblemDetails WithField(ProblemDetails problem, string? field, string message)
    {
        if (field is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        }
        return problem;
    }

    private static ProblemDetails Problem(int status, string titleKey, string detail) => new()
    {
        Status = status,
        Title = HostTexts.Local(titleKey),
        Detail = detail,
        Type = $"https://tongxin.local/problems/{titleKey["problem.".Length..]}",
    };

    /// <summary>
    /// The database cannot be reached (server stopped, network gone): 503 so clients retry later; nothing was
    /// acknowledged, so nothing is lost.
    /// </summary>
    internal static bool DatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException
                || e is Npgsql.PostgresException { SqlState: "57P01" or "57P02" or "57P03" }
                || e.GetType().Name == "RetryLimitExceededException")
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The query or route parameter a binding failure names (<c>Failed to bind parameter "int? page" from "x".</c>).</summary>
    private static string? BoundParameter(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "^Failed to bind parameter \"(?:[^\"]*\\s)?(?<name>[A-Za-z0-9_]+)\"");
        return match.Success ? match.Groups["name"].Value : null;
    }

    /// <summary>
    /// Names the field a JSON error is in (from its path, e.g. <c>$.guardianConsent.recordedAt</c>)
    /// without echoing the framework's message, which names internal types.
    /// </summary>
    private static Dictionary<string, string[]> FromJsonException(JsonException json)
    {
        var path = json.Path;
        if (string.IsNullOrEmpty(path) || path == "$" || json.LineNumber is null && path is null)
        {
            return new() { ["$"] = [HostTexts.Local("json.malformed")] };
        }
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var message = json.Message.Contains("missing required", StringComparison.OrdinalIgnoreCase)
            ? HostTexts.Local("field.required.generic")
            : json.Message.Contains("could not be converted", StringComparison.OrdinalIgnoreCase)
                ? HostTexts.Local("json.wrongValue")
                : HostTexts.Local("json.malformed");
        return new() { [field] = [message] };
    }
}
