using System.Security.Cryptography;
using Switchboard.Accounting;
using Switchboard.Data.Protection;

namespace Switchboard.Data.Tests;

public sealed class MessageProtectorTests
{
    private static readonly StoredExchange Exchange = new() { MessagesJson = """[{"role":"user","content":"the secret plan"}]""", Answer = "keep it quiet" };

    private static EncryptionKey NewKey() => EncryptionKey.TryParse(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), out _)!;

    [Fact]
    public void ARowOpensWithTheKeyThatSealedIt()
    {
        var protector = new MessageProtector(NewKey(), []);
        var id = Guid.CreateVersion7();

        var row = protector.Protect(id, Exchange);

        Assert.Equal(Exchange, protector.Unprotect(row));
        Assert.Equal(protector.CurrentKeyId, row.EncryptionKeyId);
        Assert.DoesNotContain("secret", System.Text.Encoding.UTF8.GetString(row.Ciphertext), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRowGetsItsOwnNonce()
    {
        var protector = new MessageProtector(NewKey(), []);

        var nonces = Enumerable.Range(0, 100).Select(_ => Convert.ToHexString(protector.Protect(Guid.NewGuid(), Exchange).Nonce)).ToList();

        Assert.Equal(100, nonces.Distinct().Count());
        Assert.All(nonces, n => Assert.Equal(24, n.Length));
    }

    [Fact]
    public void ATamperedOrMovedRowDoesNotOpen()
    {
        var protector = new MessageProtector(NewKey(), []);
        var row = protector.Protect(Guid.NewGuid(), Exchange);

        var flipped = row.Ciphertext.ToArray();
        flipped[0] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(new() { UsageId = row.UsageId, EncryptionKeyId = row.EncryptionKeyId, Nonce = row.Nonce, Ciphertext = flipped, Tag = row.Tag }));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(new() { UsageId = Guid.NewGuid(), EncryptionKeyId = row.EncryptionKeyId, Nonce = row.Nonce, Ciphertext = row.Ciphertext, Tag = row.Tag }));
    }

    [Fact]
    public void RowsSealedUnderAPreviousKeyStillOpenAfterARotation()
    {
        var old = NewKey();
        var row = new MessageProtector(old, []).Protect(Guid.NewGuid(), Exchange);

        var rotated = new MessageProtector(NewKey(), [old]);
        var withoutOld = new MessageProtector(NewKey(), []);

        Assert.Equal(Exchange, rotated.Unprotect(row));
        Assert.NotEqual(old.Id, rotated.CurrentKeyId);
        var error = Assert.ThrowsAny<CryptographicException>(() => withoutOld.Unprotect(row));
        Assert.Contains(old.Id, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("c2hvcnQ=", "32 bytes")]
    [InlineData("not base64 at all!", "32 bytes")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "too weak")]
    [InlineData("6161616161616161616161616161616161616161616161616161616161616161", "too weak")]
    public void MissingShortOrNonRandomKeysAreRefused(string? text, string expected)
    {
        Assert.Null(EncryptionKey.TryParse(text, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysAreReadFromBase64OrHexAndNamedByAFingerprint()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);

        var fromBase64 = EncryptionKey.TryParse(Convert.ToBase64String(bytes), out _);
        var fromHex = EncryptionKey.TryParse(Convert.ToHexString(bytes), out _);

        Assert.NotNull(fromBase64);
        Assert.Equal(fromBase64.Id, fromHex!.Id);
        Assert.DoesNotContain(Convert.ToHexStringLower(bytes)[..12], fromBase64.Id, StringComparison.Ordinal);
    }
}
