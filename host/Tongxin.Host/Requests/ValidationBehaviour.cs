using FluentValidation;
using MediatR;
using Tongxin.Host.Errors;

namespace Tongxin.Host.Requests;

/// <summary>
/// Runs every FluentValidation validator of the request and answers 400 with all field errors at
/// once, before the handler writes anything.
/// </summary>
internal sealed class ValidationBehaviour<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(request, cancellationToken);
            failures.AddRange(result.Errors);
        }
        if (failures.Count > 0)
        {
            throw new RequestValidationException(failures
                .GroupBy(f => JsonFieldName(f.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray()));
        }
        return await next();
    }

    /// <summary>
    /// <c>GuardianConsent.RecordedAt</c> → <c>guardianConsent.recordedAt</c>, as the client wrote it. A header
    /// name (<c>Idempotency-Key</c>) keeps its spelling.
    /// </summary>
    internal static string JsonFieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(part => part.Length == 0 || part.Contains('-') ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
