namespace Switchboard.Limits;

/// <summary>Names one in-memory meter: a limit's scope and name, and whether it counts tokens or requests.</summary>
internal readonly record struct MeterKey(LimitScope Scope, string Name, bool Tokens);
