using Switchboard.Data.Keys;

namespace Switchboard.Data.Tests;

public sealed class KeyHasherTests
{
    [Fact]
    public void NewKeysCarry256RandomBitsBehindTheirPrefix()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => KeyHasher.NewKey()).ToList();

        Assert.All(keys, k => Assert.StartsWith("sk-sb-", k, StringComparison.Ordinal));
        Assert.All(keys, k => Assert.Equal(6 + 43, k.Length));
        Assert.All(keys, k => Assert.True(k[6..].All(char.IsAsciiLetterOrDigit)));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // 43 characters from 62 hold 256 bits.
        Assert.True(43 * Math.Log2(62) >= 256);
    }

    [Fact]
    public void TheHashIsStableAndDiffersPerKey()
    {
        var key = KeyHasher.NewKey();

        Assert.Equal(KeyHasher.Hash(key), KeyHasher.Hash(key));
        Assert.Equal(32, KeyHasher.Hash(key).Length);
        Assert.NotEqual(KeyHasher.Hash(key), KeyHasher.Hash(key + "x"));
        Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)), KeyHasher.Hash(key));
    }

    [Fact]
    public void TheDisplayPrefixIsTheKeysFirstFourteenCharacters()
    {
        var key = KeyHasher.NewKey();

        Assert.Equal(key[..14], KeyHasher.DisplayPrefix(key));
    }
}
