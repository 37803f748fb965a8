using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Data.Keys;

/// <summary>
/// Makes and hashes virtual keys. A key is <c>sk-sb-</c> and 43 characters drawn uniformly from 62 (256 bits
/// of randomness); the table keeps only HMAC-SHA-256 of it. A slow password hash would add nothing: nobody can
/// search 2^256 keys however fast the hash, and a fast one keeps the uncached lookup cheap (docs/decisions.md).
/// </summary>
public static class KeyHasher
{
    /// <summary>What every virtual key starts with; the master key is free-form.</summary>
    public const string KeyPrefix = "sk-sb-";

    /// <summary>How many characters of a key are kept for display (<c>sk-sb-</c> and 8 more).</summary>
    public const int DisplayPrefixLength = 14;

    private const int RandomLength = 43;

    /// <summary>The length of every virtual key: a presented key of another length is not one, without a lookup.</summary>
    public const int KeyLength = 6 + RandomLength;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // A fixed, public HMAC key: it separates these hashes from any other SHA-256 of the same text. With keys
    // of 256 random bits a secret pepper would not make them any harder to find.
    private static readonly byte[] HashKey = "switchboard/virtual-key/v1"u8.ToArray();

    /// <summary>A new random key (shown once, never stored).</summary>
    public static string NewKey() =>
        KeyPrefix + new string(RandomNumberGenerator.GetItems<char>(Alphabet, RandomLength));

    /// <summary>A new key id (<c>key_</c> and 12 random characters).</summary>
    public static string NewId() => "key_" + new string(RandomNumberGenerator.GetItems<char>(Alphabet, 12));

    /// <summary>The 32-byte hash stored for <paramref name="key"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<char> key)
    {
        var hash = new byte[32];
        Hash(key, hash);
        return hash;
    }

    /// <summary>Writes the 32-byte hash of <paramref name="key"/> into <paramref name="destination"/> without allocating for short keys.</summary>
    public static void Hash(ReadOnlySpan<char> key, Span<byte> destination)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        var buffer = max <= 256 ? stackalloc byte[256] : (rented = new byte[max]);
        var length = Encoding.UTF8.GetBytes(key, buffer);
        HMACSHA256.HashData(HashKey, buffer[..length], destination);
        CryptographicOperations.ZeroMemory(buffer[..length]);
    }

    /// <summary>The part of a key shown in lists.</summary>
    public static string DisplayPrefix(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length <= DisplayPrefixLength ? key : key[..DisplayPrefixLength];
    }
}
