namespace Tongxin.Host.Requests;

/// <summary>A feature's HTTP routes. Found by scanning (Scrutor) and mapped once at start-up.</summary>
public interface IEndpointGroup
{
    void Map(IEndpointRouteBuilder app);
}
