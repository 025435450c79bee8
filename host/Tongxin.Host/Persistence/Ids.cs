namespace Tongxin.Host.Persistence;

/// <summary>New ids: time-ordered (UUID v7) so rows insert in index order, as 32 hex characters.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
