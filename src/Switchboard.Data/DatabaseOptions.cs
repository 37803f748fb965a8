using Microsoft.Extensions.Configuration;

namespace Switchboard.Data;

/// <summary><c>database:</c> where keys and usage records are kept, and how usage is written.</summary>
public sealed class DatabaseOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "database";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    /// <summary>An ADO.NET connection string for the provider (a <c>Data Source=FILE</c> for SQLite, an Npgsql one for PostgreSQL).</summary>
    public string Connection { get; set; } = "Data Source=.switchboard/switchboard.db";

    /// <summary>Whether each request leaves a usage record. Off only for benchmarks and throw-away runs.</summary>
    [ConfigurationKeyName("record_usage")]
    public bool RecordUsage { get; set; } = true;

    /// <summary>Keep each request's messages and answer, encrypted with <see cref="EncryptionKey"/>.</summary>
    [ConfigurationKeyName("store_messages")]
    public bool StoreMessages { get; set; }

    /// <summary>32 random bytes, base64 or hex (write <c>env:NAME</c>); required with <see cref="StoreMessages"/>.</summary>
    [ConfigurationKeyName("encryption_key")]
    public string? EncryptionKey { get; set; }

    /// <summary>Earlier encryption keys, still tried for rows written under them (key rotation).</summary>
    [ConfigurationKeyName("previous_encryption_keys")]
    public List<string> PreviousEncryptionKeys { get; set; } = [];

    /// <summary>Records waiting for the writer; a full queue sends records to the spill file, so memory stays bounded.</summary>
    [ConfigurationKeyName("queue_capacity")]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>The most records written in one database round trip (one transaction).</summary>
    [ConfigurationKeyName("batch_size")]
    public int BatchSize { get; set; } = 5_000;

    /// <summary>
    /// How long the writer lets a batch gather (one transaction per this interval instead of one per request or
    /// per few requests); it stops waiting as soon as a full batch is queued.
    /// </summary>
    [ConfigurationKeyName("flush_interval")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a batch may take before its records go to the spill file instead.</summary>
    [ConfigurationKeyName("write_timeout")]
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The append-only file records go to while the database cannot take them; replayed when it can.</summary>
    [ConfigurationKeyName("spill_path")]
    public string SpillPath { get; set; } = ".switchboard/usage-spill.jsonl";
}
