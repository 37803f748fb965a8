using Switchboard.Errors;
using Switchboard.Identity;

namespace Switchboard.Conversations.Http;

/// <summary>Who called a conversations endpoint and whose conversations they see, or why they may not.</summary>
/// <param name="Identity">The verified caller; null without keys (or when refused).</param>
/// <param name="IsAdmin">The master key, or anyone on an open gateway: may name any partition.</param>
/// <param name="Partition">The caller's own partition: where their conversation ids point unless they name another.</param>
/// <param name="Error">Why the caller is refused; null when allowed.</param>
internal readonly record struct ConversationCaller(CallerIdentity? Identity, bool IsAdmin, string Partition, GatewayError? Error);
