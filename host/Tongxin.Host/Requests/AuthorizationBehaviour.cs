using System.Collections.Concurrent;
using System.Reflection;
using MediatR;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Text;

namespace Tongxin.Host.Requests;

/// <summary>
/// Role check for every request, from its <see cref="AllowedRolesAttribute"/>. Region scope needs the
/// data, so handlers check it with <see cref="Caller.EnsureCanSee"/> once they have loaded it.
/// </summary>
internal sealed class AuthorizationBehaviour<TRequest, TResponse>(ICallerAccessor callers) : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    private static readonly ConcurrentDictionary<Type, (bool Anonymous, IReadOnlyCollection<Role> Roles)> Rules = new();

    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var (anonymous, roles) = Rules.GetOrAdd(typeof(TRequest), static type => (
            type.GetCustomAttribute<AnonymousRequestAttribute>() is not null,
            type.GetCustomAttribute<AllowedRolesAttribute>()?.Roles ?? []));
        if (!anonymous)
        {
            var caller = callers.Current ?? throw new AccessDeniedException(HostTexts.Local("forbidden.signIn"));
            if (!roles.Contains(caller.Role))
            {
                throw new AccessDeniedException(HostTexts.Local("forbidden.role", caller.Role.Name()));
            }
        }
        return next();
    }
}
