using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tongxin.Host.Children;
using Tongxin.Host.Composition;
using Tongxin.Host.Requests;

namespace Tongxin.UnitTests.Host;

/// <summary>A body that does not bind is read field by field: every unreadable field named, the rest still binds (ADR 0018).</summary>
public sealed class UnreadableFieldsTests
{
    private static readonly JsonSerializerOptions Options = HostOptions();

    private static JsonSerializerOptions HostOptions()
    {
        // As ASP.NET Core's JsonOptions start (web defaults), then the host's settings.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        TongxinHost.ConfigureJson(options);
        return options;
    }

    private static (Dictionary<string, string[]> Failures, JsonObject Remaining) Read(string json)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        try
        {
            return (UnreadableFields.Remove(body, typeof(CreateChild), Options), body);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public void EveryUnreadableFieldIsNamedWithItsReasonAndTheRestStillBinds()
    {
        var (failures, remaining) = Read("""
            {
              "givenName": "小芳", "Gender": "banana", "birthDate": "2019-02-30", "riskLevel": 2, "nickname": "芳芳",
              "guardianConsent": { "by": "张奶奶", "relation": "grandmother", "recordedAt": "yesterday" },
              "priorityGroups": ["disabled", 7]
            }
            """);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["gender"] = "Not one of the allowed values: female, male.",
                ["birthDate"] = "Not a valid date: expected YYYY-MM-DD, e.g. 2026-03-01.",
                ["riskLevel"] = "Not one of the allowed values: low, medium, high.",
                ["nickname"] = "Not a field of this request.",
                ["guardianConsent.recordedAt"] = "Not a valid time: expected ISO 8601, e.g. 2026-03-01T08:30:00Z.",
                ["priorityGroups[1]"] = "Must be text.",
            },
            failures.ToDictionary(f => f.Key, f => Assert.Single(f.Value)));
        var bound = remaining.Deserialize<CreateChild>(Options)!;
        Assert.Equal("小芳", bound.GivenName);
        Assert.Null(bound.Gender);
        Assert.Null(bound.PriorityGroups);
        Assert.Equal("张奶奶", bound.GuardianConsent!.By);
        Assert.Null(bound.GuardianConsent.RecordedAt);
    }

    [Fact]
    public void ABodyThatBindsHasNothingToName()
    {
        var (failures, remaining) = Read("""{ "givenName": "小芳", "gender": "female", "birthDate": "2016-05-01" }""");
        Assert.Empty(failures);
        Assert.Equal(3, remaining.Count);
    }
}
