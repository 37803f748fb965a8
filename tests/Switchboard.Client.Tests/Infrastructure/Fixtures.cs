namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>The mock's fixtures for the library's tests: one per behaviour, matched on the last user message.</summary>
public static class Fixtures
{
    public const string Yaml = """
        - name: hello
          match: { last_user: Say hello }
          response: { content: Hello there!, model: mock-model-2024, usage: { prompt_tokens: 12, completion_tokens: 3 } }
        - name: conversation
          match: { last_user: And in French? }
          response: { content: Bonjour !, stream: { chunk_size: 1 } }
        - name: story
          match: { last_user: Tell me a story }
          response: { content: "Once upon a time, a gateway answered every call.", stream: { chunk_size: 2 } }
        - name: think
          match: { last_user: Think first }
          response: { content: "<think>Let me plan this carefully.</think>\n\nThe answer is 42.", stream: { chunk_size: 1 } }
        - name: bad request
          match: { last_user: bad request }
          response: { error: { status: 400, message: "'temperature' is too high." } }
        - name: rate limited
          match: { last_user: rate limit me }
          response: { error: { status: 429, message: Slow down., retry_after: 7 } }
        - name: overloaded
          match: { last_user: fail please }
          response: { error: { status: 503, message: The model is overloaded. } }
        - name: slow
          match: { last_user: take your time }
          response: { content: Done., delay_ms: 60000 }
        - name: hang up
          match: { last_user: hang up }
          response: { content: x, fault: { drop_connection: true } }
        - name: broken stream
          match: { last_user: break the stream }
          response: { content: "a long answer with many words in it, more than three chunks", fault: { drop_after_chunks: 3 } }
        - name: garbage
          match: { last_user: send garbage }
          response: { content: "a long answer with many words in it", fault: { malformed_chunk: 2 } }
        - name: flaky
          match: { last_user: try again }
          responses:
            - error: { status: 429, message: Busy., retry_after: 3 }
            - content: Worked the second time.
        """;
}
