using System.Text;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Core.Tests;

public sealed class ChatContextTests
{
    [Fact]
    public void The_clients_bytes_are_offered_only_while_the_request_is_the_one_they_were_read_into()
    {
        var request = new ChatCompletionRequest { Model = "m", Messages = [] };
        var context = new ChatContext(request, Encoding.UTF8.GetBytes("""{"model":"m","messages":[]}"""));

        Assert.False(context.ClientJson.IsEmpty);

        context.Request = request with { Temperature = 0 };
        Assert.True(context.ClientJson.IsEmpty);

        context.Request = request;
        Assert.False(context.ClientJson.IsEmpty);
    }
}
