using FluentValidation;
using MediatR;
using Tongxin.Host.Errors;

namespace Tongxin.Host.Requests;

/// <summary>
/// Runs every FluentValidation validator of the request and answers 400 with all field errors at
/// once, before the handler writes anything: the body fields that could not be read (<see cref="BodyBindFailures"/>)
/// and every field a validator refuses. A field that could not be read is named for that alone; the validator's
/// "required" for the same field, now empty, would only repeat it.
/// </summary>
internal sealed class ValidationBehaviour<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators, BodyBindFailures bindFailures)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var unreadable = bindFailures.Take();
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(request, cancellationToken);
            failures.AddRange(result.Errors);
        }
        var refused = failures
            .GroupBy(f => JsonFieldName(f.PropertyName))
            .Where(g => !unreadable.Keys.Any(field => Overlap(field, g.Key)))
            .Select(g => KeyValuePair.Create(g.Key, g.Select(f => f.ErrorMessage).Distinct().ToArray()));
        var errors = unreadable.Concat(refused).ToDictionary();
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
        return await next();
    }

    /// <summary>One field lies in the other (<c>lines</c> and <c>lines[1]</c>, <c>guardianConsent</c> and <c>guardianConsent.by</c>), or they are one.</summary>
    private static bool Overlap(string a, string b) => a == b || Within(a, b) || Within(b, a);

    private static bool Within(string inner, string outer) =>
        inner.StartsWith(outer, StringComparison.Ordinal) && inner.Length > outer.Length && inner[outer.Length] is '.' or '[';

    /// <summary>
    /// <c>GuardianConsent.RecordedAt</c> → <c>guardianConsent.recordedAt</c>, as the client wrote it. A header
    /// name (<c>Idempotency-Key</c>) keeps its spelling.
    /// </summary>
    internal static string JsonFieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(part => part.Length == 0 || part.Contains('-') ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
