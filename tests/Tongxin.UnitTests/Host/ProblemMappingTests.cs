using Tongxin.Host.Errors;

namespace Tongxin.UnitTests.Host;

/// <summary>What a client sees for an exception: its meaning, never its insides.</summary>
public sealed class ProblemMappingTests
{
    [Fact]
    public void AnUnexpectedExceptionBecomesA500ThatRevealsNothing()
    {
        var problem = ProblemExceptionHandler.ToProblem(new InvalidOperationException("connection string Password=secret at Tongxin.Host.X"));
        Assert.Equal(500, problem.Status);
        Assert.DoesNotContain("secret", problem.Detail);
        Assert.DoesNotContain("Tongxin", problem.Detail);
        Assert.DoesNotContain("secret", problem.Title);
    }

    [Fact]
    public void AnUnreachableDatabaseIs503SoClientsRetryLater()
    {
        var down = new InvalidOperationException("query failed", new Npgsql.NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111)));
        var problem = ProblemExceptionHandler.ToProblem(down);
        Assert.Equal(503, problem.Status);
        Assert.DoesNotContain("connect", problem.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(typeof(AccessDeniedException), 403)]
    [InlineData(typeof(NotFoundException), 404)]
    [InlineData(typeof(ConflictException), 409)]
    [InlineData(typeof(RuleViolationException), 422)]
    [InlineData(typeof(UnauthenticatedException), 401)]
    public void KnownExceptionsKeepTheirMeaning(Type exceptionType, int status)
    {
        var constructor = exceptionType.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select((p, i) => i == 0 ? (object?)"detail for the user" : null).ToArray();
        var exception = (Exception)constructor.Invoke(arguments);
        Assert.Equal(status, ProblemExceptionHandler.ToProblem(exception).Status);
    }

    [Fact]
    public void AGrainThatCannotBeReachedIsAServiceUnavailableToRetryNotAServerError()
    {
        // What Orleans throws while a dead host's grains have not yet moved, or a call timed out.
        foreach (var exception in new Exception[]
        {
            new Orleans.Runtime.OrleansException("Silo S127.0.0.1:11111 is unavailable"),
            new Orleans.Runtime.SiloUnavailableException("S127.0.0.1:11111 is dead"),
            new TimeoutException("Response did not arrive on time in 00:00:30"),
        })
        {
            var problem = ProblemExceptionHandler.ToProblem(exception);
            Assert.Equal(503, problem.Status);
            Assert.DoesNotContain("Silo", problem.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("00:00:30", problem.Detail, StringComparison.Ordinal);
        }
        var database = ProblemExceptionHandler.ToProblem(new ServiceUnavailableException("数据库无法连接。", TimeSpan.FromSeconds(2)));
        Assert.Equal(503, database.Status);
    }
}
