namespace Tongxin.Modules.Contracts.Requests;

/// <summary>
/// A request about one child. Before its handler runs, the host checks the child exists (404 otherwise) and lies in
/// the caller's region (403 otherwise, audited): a module's handler never sees a child the caller may not.
/// </summary>
public interface IChildScopedRequest
{
    /// <summary>The child's id; the field named <c>childId</c> in the errors.</summary>
    string ChildId { get; }
}

/// <summary>
/// What a module may know of a child's file: where it belongs and what the guardian consented to, no names, no
/// details. The host answers from the file itself, by the same consent rule it uses everywhere.
/// </summary>
public interface IChildDirectory
{
    /// <summary>The child, or null when there is no such file.</summary>
    Task<ChildInScope?> FindAsync(string childId, CancellationToken cancellationToken = default);
}

/// <summary>A child as a module sees it.</summary>
/// <param name="Id">The child's id.</param>
/// <param name="RegionCode">The child's village.</param>
/// <param name="RegionPath">The village's materialised path, for <see cref="IRequestCaller.CanSee"/> and for a module's own rows.</param>
/// <param name="ConsentPurposes">
/// What the guardian's consent covers now (<c>matching</c>, <c>services</c>, <c>data-sharing</c>): empty without
/// consent or after it was withdrawn.
/// </param>
/// <param name="Closed">Whether the file is closed (the child no longer served).</param>
public sealed record ChildInScope(string Id, string RegionCode, string RegionPath, IReadOnlySet<string> ConsentPurposes, bool Closed)
{
    public bool ConsentCovers(string purpose) => ConsentPurposes.Contains(purpose);
}
