using System.Text.Json.Serialization;
using Switchboard.Mock.Server.Admin;
using Switchboard.Mock.Server.Journal;

namespace Switchboard.Mock.Server;

/// <summary>Source-generated serialization of the admin API's answers; use it through <c>MockServerJson.Context</c>.</summary>
[JsonSerializable(typeof(IReadOnlyList<JournalEntry>))]
[JsonSerializable(typeof(JournalEntry))]
[JsonSerializable(typeof(FixtureList))]
[JsonSerializable(typeof(FixtureInfo))]
[JsonSerializable(typeof(AdminResult))]
[JsonSerializable(typeof(HealthStatus))]
public sealed partial class MockServerJsonContext : JsonSerializerContext;
