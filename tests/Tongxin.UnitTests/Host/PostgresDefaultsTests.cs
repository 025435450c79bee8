using Npgsql;
using Tongxin.Host.Persistence;

namespace Tongxin.UnitTests.Host;

/// <summary>The host's Npgsql defaults (ADR 0009) apply only where the operator's connection string is silent.</summary>
public sealed class PostgresDefaultsTests
{
    [Fact]
    public void AutoPrepareAndNoResetOnCloseAreAddedWhenTheConnectionStringIsSilent()
    {
        var resolved = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithPostgresDefaults("Host=db;Database=tongxin;Username=tongxin;Password=x"));

        Assert.Equal(32, resolved.MaxAutoPrepare);
        Assert.True(resolved.NoResetOnClose);
        Assert.Equal(DatabaseSetup.DefaultMaxPoolSize(Environment.ProcessorCount), resolved.MaxPoolSize);
        Assert.Equal("db", resolved.Host);
        Assert.Equal("x", resolved.Password);
    }

    [Fact]
    public void TheOperatorsOwnSettingsWin()
    {
        var resolved = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithPostgresDefaults("Host=db;Max Auto Prepare=0;No Reset On Close=false;Maximum Pool Size=100"));

        Assert.Equal(0, resolved.MaxAutoPrepare);
        Assert.False(resolved.NoResetOnClose);
        Assert.Equal(100, resolved.MaxPoolSize);
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(DatabaseSetup.WithPostgresDefaults("Host=db;MaxPoolSize=7")).MaxPoolSize);
    }

    [Theory]
    [InlineData(1, 20)]
    [InlineData(2, 20)]
    [InlineData(8, 80)]
    public void ThePoolGrowsWithTheHostsCores(int cores, int connections) => Assert.Equal(connections, DatabaseSetup.DefaultMaxPoolSize(cores));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("/var/run/postgresql", true)]
    [InlineData("127.0.0.1:5433,localhost", true)]
    [InlineData("db.county.example", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("127.0.0.1,db.county.example", false)]
    public void TlsIsLeftOutOnlyForAServerOnThisMachine(string host, bool onThisMachine)
    {
        var resolved = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithPostgresDefaults($"Host={host};Database=tongxin"));

        Assert.Equal(onThisMachine ? SslMode.Disable : new NpgsqlConnectionStringBuilder().SslMode, resolved.SslMode);
    }

    [Fact]
    public void AnOperatorWhoAsksForTlsOnLoopbackGetsIt() =>
        Assert.Equal(SslMode.Require, new NpgsqlConnectionStringBuilder(DatabaseSetup.WithPostgresDefaults("Host=127.0.0.1;SSL Mode=Require")).SslMode);

    [Fact]
    public void SqliteConnectionStringsAreLeftAlone()
    {
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=/tmp/x.db" };

        Assert.Equal("Data Source=/tmp/x.db", DatabaseSetup.ResolveConnectionString(options, "/tmp"));
    }
}
