namespace Switchboard.Data.Entities;

/// <summary>A row of <c>stored_messages</c>: one request's messages and answer, AES-GCM encrypted.</summary>
public sealed class StoredMessagesEntity
{
    /// <summary>The usage record's id.</summary>
    public Guid UsageId { get; set; }

    /// <summary>Which encryption key sealed it (a fingerprint of the key, never the key), for rotation.</summary>
    public required string EncryptionKeyId { get; set; }

    /// <summary>12 random bytes, new for every row.</summary>
    public required byte[] Nonce { get; set; }

    public required byte[] Ciphertext { get; set; }

    /// <summary>The 16-byte GCM tag.</summary>
    public required byte[] Tag { get; set; }
}
