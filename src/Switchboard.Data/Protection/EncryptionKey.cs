using System.Globalization;
using System.Security.Cryptography;

namespace Switchboard.Data.Protection;

/// <summary>A 256-bit AES key read from configuration, and its public fingerprint (the id stored with each row).</summary>
public sealed class EncryptionKey
{
    private EncryptionKey(byte[] bytes)
    {
        Bytes = bytes;
        var fingerprint = SHA256.HashData([.. "switchboard/encryption-key-id/v1"u8, .. bytes]);
        Id = "k" + Convert.ToHexStringLower(fingerprint.AsSpan(0, 6));
    }

    internal byte[] Bytes { get; }

    /// <summary>A fingerprint of the key (<c>k</c> and 12 hex digits): names it without revealing it.</summary>
    public string Id { get; }

    /// <summary>
    /// Reads a key written as base64 or as 64 hex digits. Anything but 32 bytes, or bytes that cannot have come
    /// from a random generator (fewer than 16 distinct values, as in a repeated character), is refused.
    /// </summary>
    public static EncryptionKey? TryParse(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "is missing; set it to 32 random bytes in base64 (openssl rand -base64 32), usually as env:NAME";
            return null;
        }

        text = text.Trim();
        byte[]? bytes = null;
        if (text.Length == 64 && text.All(char.IsAsciiHexDigit))
        {
            bytes = Convert.FromHexString(text);
        }
        else
        {
            var buffer = new byte[text.Length];
            if (Convert.TryFromBase64String(text, buffer, out var written))
            {
                bytes = buffer[..written];
            }
        }

        if (bytes is null || bytes.Length != 32)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"must be 32 bytes written as base64 (44 characters) or 64 hex digits; this is {(bytes is null ? "neither" : $"{bytes.Length} bytes")} (openssl rand -base64 32 makes one)");
            return null;
        }

        if (bytes.Distinct().Count() < 16)
        {
            problem = "is too weak: it does not look random (too few distinct bytes); make one with openssl rand -base64 32";
            return null;
        }

        return new EncryptionKey(bytes);
    }
}
