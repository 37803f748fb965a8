using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.Data.Entities;
using Switchboard.Accounting;

namespace Switchboard.Data.Protection;

/// <summary>
/// Encrypts stored messages with AES-256-GCM: a fresh random 96-bit nonce per row, the row's id as associated
/// data (a ciphertext moved to another row does not open), and the key's fingerprint stored beside it so rows
/// sealed under an earlier key still open after a rotation (<c>database.previous_encryption_keys</c>).
/// </summary>
public sealed class MessageProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly EncryptionKey _current;
    private readonly Dictionary<string, EncryptionKey> _all;

    public MessageProtector(EncryptionKey current, IEnumerable<EncryptionKey> previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        _current = current;
        _all = new Dictionary<string, EncryptionKey>(StringComparer.Ordinal) { [current.Id] = current };
        foreach (var key in previous)
        {
            _all.TryAdd(key.Id, key);
        }
    }

    /// <summary>The id of the key new rows are sealed with.</summary>
    public string CurrentKeyId => _current.Id;

    /// <summary>Seals <paramref name="exchange"/> for the row <paramref name="usageId"/>.</summary>
    public StoredMessagesEntity Protect(Guid usageId, StoredExchange exchange)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(exchange, DataJsonContext.Default.StoredExchange);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(_current.Bytes, TagSize))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, usageId.ToByteArray());
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return new StoredMessagesEntity { UsageId = usageId, EncryptionKeyId = _current.Id, Nonce = nonce, Ciphertext = ciphertext, Tag = tag };
    }

    /// <summary>Opens a row; throws <see cref="CryptographicException"/> when its key is not configured or it was tampered with.</summary>
    public StoredExchange Unprotect(StoredMessagesEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!_all.TryGetValue(row.EncryptionKeyId, out var key))
        {
            throw new CryptographicException($"The row was encrypted with key {row.EncryptionKeyId}, which is neither database.encryption_key nor one of database.previous_encryption_keys.");
        }

        var plaintext = new byte[row.Ciphertext.Length];
        using (var aes = new AesGcm(key.Bytes, TagSize))
        {
            aes.Decrypt(row.Nonce, row.Ciphertext, row.Tag, plaintext, row.UsageId.ToByteArray());
        }

        return JsonSerializer.Deserialize(plaintext, DataJsonContext.Default.StoredExchange)
            ?? throw new CryptographicException("The decrypted row is empty.");
    }
}
