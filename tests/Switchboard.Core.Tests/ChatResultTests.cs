using System.Text;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Core.Tests;

public sealed class ChatResultTests
{
    [Fact]
    public void ACompletionThatAStageReplacesNoLongerCarriesTheUpstreamsBytes()
    {
        var upstream = new ChatCompletionResponse { Id = "a", Model = "m" };
        var forwarded = new ChatResult.Completed(upstream, Encoding.UTF8.GetBytes("""{"id":"a","model":"m","choices":[]}"""));

        var changed = forwarded with { Response = upstream with { Id = "b" } };

        Assert.False(forwarded.Json.IsEmpty);
        Assert.True(changed.Json.IsEmpty);
        Assert.Equal("b", changed.Response.Id);
        Assert.True(new ChatResult.Completed(upstream).Json.IsEmpty);
    }
}
