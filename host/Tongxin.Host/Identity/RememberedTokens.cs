using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

namespace Tongxin.Host.Identity;

/// <summary>
/// The bearer-token format with a memory of tokens already opened. Opening a token (data protection: a key
/// derivation, an HMAC and an AES decryption, then the ticket's claims) cost more CPU than the rest of a read's
/// authentication; a phone sends the same token with every request for hours, so each host opens a token once and
/// remembers the ticket, in its own memory only (never the shared cache: a ticket must not leave the process).
/// What is not weakened: the ticket remembered is exactly what opening the token gives (a token that does not open
/// is never remembered), each request gets its own copy, and the bearer handler still checks the ticket's expiry
/// against the clock on every request. Revocation does not depend on this memory: every request's ticket, remembered
/// or not, is checked against its user's current security stamp afterwards (<see cref="TokenStampCheck"/>, ADR 0020).
/// </summary>
internal sealed class RememberedTokens(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider clock) : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>Tokens remembered at most per host (about 2 KB each): a county's staff and volunteers signed in at once, and more.</summary>
    public const int Capacity = 20_000;

    /// <summary>Remembered at most this long; a ticket that expires sooner is forgotten when it expires.</summary>
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(10);

    private readonly MemoryCache tickets = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null)
        {
            return null;
        }
        var key = purpose is null ? protectedText : purpose + "\n" + protectedText;
        if (tickets.TryGetValue(key, out AuthenticationTicket? remembered) && remembered is not null)
        {
            return remembered.Clone();
        }
        var ticket = inner.Unprotect(protectedText, purpose);
        if (ticket is null)
        {
            return null; // not remembered: a wrong token costs its full check every time
        }
        var remember = RememberFor;
        if (ticket.Properties.ExpiresUtc is { } expires && expires - clock.GetUtcNow() < remember)
        {
            remember = expires - clock.GetUtcNow();
        }
        if (remember > TimeSpan.Zero)
        {
            tickets.Set(key, ticket.Clone(), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = remember });
        }
        return ticket;
    }
}
