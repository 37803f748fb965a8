namespace Switchboard.Data.Protection;

/// <summary>Builds the <see cref="MessageProtector"/> that <c>database:</c> describes.</summary>
public static class MessageProtectorFactory
{
    /// <summary>The protector for <paramref name="options"/>, or null when no encryption key is configured.</summary>
    public static MessageProtector? Create(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var current = EncryptionKey.TryParse(options.EncryptionKey, out _);
        if (current is null)
        {
            return null;
        }

        var previous = options.PreviousEncryptionKeys.Select(k => EncryptionKey.TryParse(k, out _)).OfType<EncryptionKey>();
        return new MessageProtector(current, previous);
    }
}
