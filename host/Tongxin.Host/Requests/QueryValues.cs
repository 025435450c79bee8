using System.Text.Json;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Requests;

/// <summary>
/// Query-string values written as in JSON (<c>riskLevel=high</c>, <c>kind=home-visit</c>): the framework's
/// own enum binding wants C# names, so query enums are read here, with a 400 naming the field otherwise.
/// </summary>
public static class QueryValues
{
    public static TEnum? Enum<TEnum>(string? value, string field)
        where TEnum : struct, System.Enum
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        foreach (var candidate in System.Enum.GetValues<TEnum>())
        {
            if (JsonNamingPolicy.KebabCaseLower.ConvertName(candidate.ToString()) == value)
            {
                return candidate;
            }
        }
        throw RequestValidationException.ForField(field, HostTexts.Local("json.wrongValue"));
    }
}
