using System.Text;
using Switchboard.Compression;

namespace Switchboard.Compression.Tests;

public sealed class StoredBytesTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(5000)]
    [InlineData(300_000)]
    public void EveryValueReadsBackExactly(int length)
    {
        var value = new byte[length];
        new Random(length).NextBytes(value);
        for (var i = 0; i < value.Length; i += 3)
        {
            value[i] = (byte)'a';
        }

        Assert.Equal(value, StoredBytes.Decode(StoredBytes.Encode(value)));
        Assert.Equal(value, StoredBytes.Decode(StoredBytes.EncodeFast(value)));
    }

    [Fact]
    public void TheFastEncodingStillStoresRepetitiveJsonSmaller()
    {
        var json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"role\":\"user\",\"content\":\"book a table for two\"},", 200)));

        var stored = StoredBytes.EncodeFast(json);

        Assert.Equal(StoredBytes.BrotliFormat, stored[0]);
        Assert.True(stored.Length < json.Length / 10, $"{stored.Length} of {json.Length}");
    }

    [Fact]
    public void RepetitiveJsonIsStoredSmaller()
    {
        var json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"role\":\"user\",\"content\":\"book a table for two\"},", 200)));

        var stored = StoredBytes.Encode(json);

        Assert.Equal(StoredBytes.BrotliFormat, stored[0]);
        Assert.True(stored.Length < json.Length / 10, $"{stored.Length} of {json.Length}");
    }

    [Fact]
    public void IncompressibleBytesAreStoredRaw()
    {
        var noise = new byte[4096];
        new Random(7).NextBytes(noise);

        Assert.Equal(StoredBytes.RawFormat, StoredBytes.Encode(noise)[0]);
    }

    [Fact]
    public void CorruptDataIsAnError()
    {
        Assert.Throws<InvalidDataException>(() => StoredBytes.Decode([]));
        Assert.Throws<InvalidDataException>(() => StoredBytes.Decode([9, 1, 2]));
        Assert.Throws<InvalidDataException>(() => StoredBytes.Decode([StoredBytes.BrotliFormat, 1, 2, 3, 4]));
    }
}
