namespace Tongxin.Modules.Contracts.Requests;

/// <summary>
/// Who a request runs for, as a module sees it: enough to scope what it reads and writes by the caller's region
/// (<see cref="CanSee"/>) and to record who did it. The host fills it from the bearer token.
/// </summary>
public interface IRequestCaller
{
    string UserId { get; }

    Role Role { get; }

    /// <summary>The code of the caller's region (a county, town or village).</summary>
    string RegionCode { get; }

    /// <summary>The materialised path of the caller's region (<c>/county/town/village/</c>).</summary>
    string RegionPath { get; }

    /// <summary>Whether something in the region with this path is within the caller's region.</summary>
    bool CanSee(string regionPath);
}

/// <summary>The caller of the request being handled; null outside a signed-in request. Scoped per request.</summary>
public interface IRequestCallerAccessor
{
    IRequestCaller? Current { get; }
}
