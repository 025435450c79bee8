using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tongxin.Host.Security;

/// <summary>
/// A child's national ID number (公民身份号码, GB 11643-1999: 18 characters, the birth date in characters 7–14, the
/// gender in the 17th, a check character last). The roster import reads it only to find the child's one file: it is
/// stored as a keyed hash (HMAC-SHA256 under a key derived from the field key), never in clear, so the database alone
/// does not give it back and a list of numbers cannot be matched against it without the key. Changing the field key
/// changes every hash: a re-import then matches by name, birth date and village (docs/imports.md).
/// </summary>
public sealed class NationalIds(FieldCipher cipher)
{
    private const string Purpose = "tongxin:national-id-hash:v1";
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    private readonly byte[] _key = cipher.DeriveKey(Purpose);

    /// <summary>The keyed hash of a number that <see cref="TryRead"/> accepted (hex, 64 characters).</summary>
    public string Hash(string number) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(number)));

    /// <summary>
    /// Reads an 18-character number (a final x in either case) with a valid check character and a real birth date;
    /// returns it normalised (upper-case X), with the birth date and gender it encodes.
    /// </summary>
    public static bool TryRead(string text, out string number, out DateOnly birthDate, out bool male)
    {
        number = text.Trim().ToUpperInvariant();
        birthDate = default;
        male = false;
        if (number.Length != 18 || !number[..17].All(char.IsAsciiDigit) || !(char.IsAsciiDigit(number[17]) || number[17] == 'X'))
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (number[i] - '0') * Weights[i];
        }
        if (CheckCharacters[sum % 11] != number[17]
            || !DateOnly.TryParseExact(number.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birthDate))
        {
            return false;
        }
        male = (number[16] - '0') % 2 == 1;
        return true;
    }
}
