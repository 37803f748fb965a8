using System.Text.Json.Serialization;

namespace Switchboard.Mock.Serialization;

/// <summary>Source-generated serialization for the few plain values the engine writes.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(float[]))]
internal sealed partial class MockJsonContext : JsonSerializerContext;
