using MediatR;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Text;

namespace Tongxin.Host.Requests;

/// <summary>
/// The region scope of a request about one child (<see cref="IChildScopedRequest"/>, the modules' contract): the child
/// must exist (404) and lie within the caller's region (403, audited as refused) before the handler runs. The host's
/// own handlers check the same through the child's grain; a module's handler gets the check without writing it.
/// </summary>
internal sealed class ChildScopeBehaviour<TRequest, TResponse>(IChildDirectory children, ICallerAccessor callers) : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is IChildScopedRequest scoped)
        {
            var caller = callers.Current ?? throw new AccessDeniedException(HostTexts.Local("forbidden.signIn"));
            var child = string.IsNullOrEmpty(scoped.ChildId) ? null : await children.FindAsync(scoped.ChildId, cancellationToken);
            if (child is null)
            {
                throw new NotFoundException(HostTexts.Local("notFound.child"));
            }
            caller.EnsureCanSee(child.RegionPath);
        }
        return await next();
    }
}
