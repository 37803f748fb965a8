using Microsoft.AspNetCore.Http;

namespace Switchboard.Hosting.Http;

/// <summary>
/// Told of every 401 that <see cref="OpenAIResponseWriter.WriteErrorAsync"/> answers (every refusal of a key passes
/// through it), resolved from the request's services on that path only, so the requests that are let in pay nothing.
/// The gateway's throttle of wrong keys is one.
/// </summary>
public interface IUnauthorizedAnswerObserver
{
    /// <summary>Called as the 401 is written, before its body.</summary>
    void Answered(HttpContext http);
}
