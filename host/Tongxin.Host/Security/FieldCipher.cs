using System.Security.Cryptography;
using System.Text;

namespace Tongxin.Host.Security;

/// <summary>
/// Seals the most sensitive free text (concern details and steps, contact notes, session notes, delivery
/// notes) with AES-256-GCM under a key from configuration, so a copied database file alone does not reveal
/// them. Stored form: <c>v1:</c> + base64(nonce ‖ tag ‖ ciphertext). Text without the prefix (written before
/// sealing existed) is returned as it is.
/// </summary>
public sealed class FieldCipher
{
    public const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public FieldCipher(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The field key must be 32 bytes (256 bits).", nameof(key));
        }
        _key = key;
    }

    public string Seal(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>
    /// A key of its own for one purpose (HKDF-SHA256 from the field key, the purpose as its info): the keyed hash of
    /// national ID numbers (<see cref="NationalIds"/>) never uses the sealing key itself.
    /// </summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, salt: [], info: Encoding.UTF8.GetBytes(purpose));

    public string Open(string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }
        var sealedBytes = Convert.FromBase64String(stored[Prefix.Length..]);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }
}

/// <summary>
/// <c>Encryption:FieldKey</c>: the field key, base64 of 32 random bytes (<c>openssl rand -base64 32</c>). Keep it
/// out of the database and its backups (environment, secret store). Without one, the host makes a key on
/// first start in <c>data/field.key</c> and says so in its log — fine for trying it out, not for production.
/// </summary>
public static class FieldKeys
{
    public const string Setting = "Encryption:FieldKey";

    public static FieldCipher Resolve(IConfiguration configuration, string contentRoot, ILogger logger)
    {
        var configured = configuration[Setting];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new FieldCipher(Convert.FromBase64String(configured));
        }
        var file = Path.Combine(contentRoot, "data", "field.key");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        logger.LogWarning("No {Setting} configured: sensitive notes are sealed with the key in {File}. Set Encryption__FieldKey and keep it away from the database for production.", Setting, file);
        return new FieldCipher(Convert.FromBase64String(File.ReadAllText(file).Trim()));
    }
}
