namespace Tongxin.Modules.Contracts.Requests;

/// <summary>
/// A line's rule refuses the request (a child's third open case, a seat already taken): the host answers 422
/// problem+json naming <paramref name="field"/> with <paramref name="detail"/>, in the caller's language as the module
/// wrote it, and audits the request as refused. Field errors a validator finds are 400, as the host's.
/// </summary>
public sealed class LineRuleException(string field, string detail) : Exception(detail)
{
    /// <summary>The request's field the rule is about, as the client names it (<c>childId</c>).</summary>
    public string Field { get; } = field;
}
