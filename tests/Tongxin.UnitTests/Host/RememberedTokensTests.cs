using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Tongxin.Host.Identity;

namespace Tongxin.UnitTests.Host;

/// <summary>
/// A bearer token is opened once and its ticket remembered (ADR 0010), without weakening the check: the ticket
/// remembered is the one the token opens to, every caller gets a copy of its own, a token that does not open is
/// checked in full every time, and a token opened for one purpose is not taken as opened for another.
/// </summary>
public sealed class RememberedTokensTests
{
    private const string Token = "CfDJ8-a-token-as-the-data-protector-writes-it";
    private const string Purpose = "bearer";

    [Fact]
    public void ATokenIsOpenedOnceAndThenRemembered()
    {
        var inner = new CountingFormat();
        var tokens = new RememberedTokens(inner, TimeProvider.System);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("user-1", tokens.Unprotect(Token)!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        }

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public void EachCallGetsItsOwnCopyWithTheSameClaims()
    {
        var inner = new CountingFormat();
        var tokens = new RememberedTokens(inner, TimeProvider.System);

        var first = tokens.Unprotect(Token)!;  // opened
        var second = tokens.Unprotect(Token)!; // remembered
        var third = tokens.Unprotect(Token)!;

        Assert.NotSame(first, second);
        Assert.NotSame(second, third);
        Assert.NotSame(second.Principal, third.Principal);
        Assert.NotSame(second.Principal.Identity, third.Principal.Identity);
        Assert.NotSame(second.Properties, third.Properties);
        Assert.Equal(Claims(first), Claims(second));
        Assert.Equal(Claims(first), Claims(third));
        Assert.Equal(first.Properties.ExpiresUtc, third.Properties.ExpiresUtc);
        Assert.Equal(first.AuthenticationScheme, third.AuthenticationScheme);

        // What one request does to its ticket (a claims transformation, say) reaches no other request: neither the
        // ticket the token opened to, nor any copy handed out before or after.
        var expected = Claims(first);
        var expires = first.Properties.ExpiresUtc;
        foreach (var ticket in new[] { first, second })
        {
            var identity = (ClaimsIdentity)ticket.Principal.Identity!;
            identity.AddClaim(new Claim(ClaimTypes.Role, "admin"));
            identity.RemoveClaim(identity.FindFirst(ClaimTypes.NameIdentifier));
            ticket.Principal.AddIdentity(new ClaimsIdentity([new Claim("added", "yes")]));
            ticket.Properties.Items["added"] = "yes";
            ticket.Properties.ExpiresUtc = DateTimeOffset.MaxValue;
        }
        var fourth = tokens.Unprotect(Token)!;
        foreach (var ticket in new[] { third, fourth })
        {
            Assert.Equal(expected, Claims(ticket));
            Assert.Single(ticket.Principal.Identities);
            Assert.False(ticket.Properties.Items.ContainsKey("added"));
            Assert.Equal(expires, ticket.Properties.ExpiresUtc);
        }
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public void ATokenThatDoesNotOpenIsCheckedInFullEveryTime()
    {
        var inner = new CountingFormat();
        var tokens = new RememberedTokens(inner, TimeProvider.System);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(tokens.Unprotect(Token + "x"));
        }

        Assert.Equal(3, inner.Calls);
        Assert.Null(tokens.Unprotect(null));
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public void ATokenRememberedForOnePurposeIsOpenedAgainForAnother()
    {
        var inner = new CountingFormat { OpensFor = Purpose };
        var tokens = new RememberedTokens(inner, TimeProvider.System);

        Assert.NotNull(tokens.Unprotect(Token, Purpose));
        Assert.Null(tokens.Unprotect(Token, "refresh"));
        Assert.Null(tokens.Unprotect(Token));
        Assert.NotNull(tokens.Unprotect(Token, Purpose));

        // The inner format was asked for each new purpose, with that purpose, and not again for the one it opened.
        Assert.Equal(new List<(string?, string?)> { (Token, Purpose), (Token, "refresh"), (Token, null) }, inner.Asked);
    }

    [Fact]
    public void ATicketThatHasExpiredByTheClockIsNotRemembered()
    {
        var clock = new SetClock(DateTimeOffset.UtcNow);
        var inner = new CountingFormat { Expires = clock.Now.AddSeconds(-1) };
        var tokens = new RememberedTokens(inner, clock);

        // Given back as it opened (the bearer handler refuses it by its expiry), but opened again every time.
        Assert.NotNull(tokens.Unprotect(Token));
        Assert.NotNull(tokens.Unprotect(Token));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void ATicketIsForgottenWhenItExpires()
    {
        // A ticket keeps its expiry to the second; by this clock it has 300 ms left.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(1);
        var inner = new CountingFormat { Expires = expires };
        var tokens = new RememberedTokens(inner, new SetClock(expires.AddMilliseconds(-300)));

        tokens.Unprotect(Token);
        tokens.Unprotect(Token);
        Assert.Equal(1, inner.Calls);

        Thread.Sleep(TimeSpan.FromMilliseconds(600));
        tokens.Unprotect(Token);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void ProtectingIsTheInnerFormats()
    {
        var inner = new CountingFormat();
        var tokens = new RememberedTokens(inner, TimeProvider.System);
        var ticket = inner.Unprotect(Token)!;

        Assert.Equal(Token, tokens.Protect(ticket));
        Assert.Equal(Token, tokens.Protect(ticket, Purpose));
    }

    private static List<(string Type, string Value)> Claims(AuthenticationTicket ticket) =>
        ticket.Principal.Claims.Select(c => (c.Type, c.Value)).ToList();

    /// <summary>
    /// Stands in for ASP.NET Core's data-protection format: opens <see cref="Token"/> (for <see cref="OpensFor"/> only,
    /// if set) to a new ticket each time, and counts how often it was asked.
    /// </summary>
    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public string? OpensFor { get; init; }

        public DateTimeOffset Expires { get; init; } = DateTimeOffset.UtcNow.AddHours(8);

        public List<(string? Token, string? Purpose)> Asked { get; } = [];

        public int Calls => Asked.Count;

        public string Protect(AuthenticationTicket data) => Token;

        public string Protect(AuthenticationTicket data, string? purpose) => Token;

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Asked.Add((protectedText, purpose));
            if (protectedText != Token || (OpensFor is not null && purpose != OpensFor))
            {
                return null;
            }
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, "user-1"), new Claim(ClaimTypes.Name, "director-a1"), new Claim(ClaimTypes.Role, "child-director")],
                "BearerToken");
            var properties = new AuthenticationProperties { ExpiresUtc = Expires, IssuedUtc = Expires.AddHours(-8) };
            return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, "BearerToken");
        }
    }

    private sealed class SetClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
