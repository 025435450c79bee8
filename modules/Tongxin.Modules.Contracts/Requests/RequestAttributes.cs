namespace Tongxin.Modules.Contracts.Requests;

/// <summary>
/// The roles that may send a request. A request without this attribute (or <see cref="AnonymousRequestAttribute"/>)
/// is refused for everyone: access is denied by default.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AllowedRolesAttribute(params Role[] roles) : Attribute
{
    public IReadOnlyCollection<Role> Roles { get; } = roles;
}

/// <summary>A request anyone may send, signed in or not (login, module list).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AnonymousRequestAttribute : Attribute;

/// <summary>
/// A request that touches a child's file (or other audited data): the audit behaviour writes one row
/// per request with who, when, what and the outcome — never the values themselves.
/// </summary>
public interface IAuditedRequest
{
    /// <summary>What was done, e.g. <c>child.read</c>.</summary>
    string AuditAction { get; }

    /// <summary>The kind of thing touched, e.g. <c>child</c>.</summary>
    string AuditSubjectType { get; }

    /// <summary>The id of the thing touched, when the request knows it (a create learns it from its response).</summary>
    string? AuditSubjectId { get; }
}

/// <summary>
/// A request that writes no audit row, and why not. Audit is the default: a request that reads or changes a child,
/// a need, an offer, a pairing, a concern, vetting, a contract or a delivery (or a list, export or report built from
/// them) is an <see cref="IAuditedRequest"/>; any other request says here why it needs no row (it holds no personal
/// data, or another control covers it). An architecture test fails on a request that is neither, or whose reason is
/// empty. A refused request is audited all the same (the host's audit behaviour).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NotAuditedAttribute(string reason) : Attribute
{
    /// <summary>Why no row is needed, for the reader of the code and of the architecture test's report.</summary>
    public string Reason { get; } = reason;
}

/// <summary>A response that names what it created or touched, for the audit row.</summary>
public interface IAuditSubject
{
    string AuditSubjectId { get; }
}
