using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Switchboard.Benchmarks;

/// <summary>
/// SQLite's own cost per usage row under different table layouts and statement shapes: rows shaped as the gateway
/// makes them (GUID v7 ids, Kestrel request ids from 32 connections, one key), inserted through SQLitePCL in
/// transactions of 500 rows; thread CPU time of the inserting thread (binding, the engine, commits and WAL
/// checkpoints) per row. <c>dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- usage-sqlite [ROWS] [LAYOUT...]</c>
/// </summary>
public static class UsageSqliteLayouts
{
    private const string Columns = "occurred_at TEXT NOT NULL, request_id TEXT NOT NULL, endpoint TEXT NOT NULL, key_id TEXT NULL, user_id TEXT NULL, team_id TEXT NULL, end_user TEXT NULL, requested_model TEXT NOT NULL, served_model TEXT NULL, provider TEXT NULL, deployment TEXT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, latency_ms REAL NOT NULL, ttft_ms REAL NULL, attempts INTEGER NOT NULL, stream INTEGER NOT NULL, cache_result TEXT NULL, cached_tokens INTEGER NOT NULL, cost_saved_nano_usd INTEGER NOT NULL, status INTEGER NOT NULL, error_code TEXT NULL, has_stored_messages INTEGER NOT NULL, compression_tokens_saved INTEGER NOT NULL DEFAULT 0";
    private const string Names = "id, occurred_at, request_id, endpoint, key_id, user_id, team_id, end_user, requested_model, served_model, provider, deployment, input_tokens, output_tokens, cost_nano_usd, latency_ms, ttft_ms, attempts, stream, cache_result, cached_tokens, cost_saved_nano_usd, status, error_code, has_stored_messages, compression_tokens_saved";
    private const string Indexes = "CREATE INDEX ix_usage_key_id_occurred_at ON usage (key_id, occurred_at); CREATE INDEX ix_usage_occurred_at ON usage (occurred_at); CREATE INDEX ix_usage_request_id ON usage (request_id);";

    private sealed record Layout(string Name, string Schema, bool BlobId, int RowsPerStatement, string Pragmas = "", int Batch = 500)
    {
        public bool RandomRequestIds { get; init; }

        /// <summary>Arrival times (occurred_at) up to this many milliseconds before the insert (rows queued in completion order).</summary>
        public double ArrivalJitterMs { get; init; }

        /// <summary>Ids made from the arrival time rather than at the insert.</summary>
        public bool ArrivalIds { get; init; }

        /// <summary>Each transaction's rows inserted in id order.</summary>
        public bool SortBatch { get; init; }
    }

    private static readonly Layout[] Layouts =
    [
        new("text-pk+3ix", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1),
        new("text-pk+3ix/multi20", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 20),
        new("text-pk+3ix/cache16M", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "PRAGMA cache_size=-16384;"),
        new("text-pk only", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns});", false, 1),
        new("no index at all", $"CREATE TABLE usage (id TEXT NOT NULL, {Columns});", false, 1),
        new("blob-pk+3ix", $"CREATE TABLE usage (id BLOB NOT NULL PRIMARY KEY, {Columns}); {Indexes}", true, 1),
        new("text-pk+2ix(no occurred_at)", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_r ON usage (request_id);", false, 1),
        new("text-pk+2ix(no request_id)", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_o ON usage (occurred_at);", false, 1),
        new("text-pk+3ix/batch2000", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "", 2000),
        new("text-pk+3ix/batch5000", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "", 5000),
        new("text-pk+3ix/batch5000/cache16M", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "PRAGMA cache_size=-16384;", 5000),
        new("text-pk+3ix/cache64M+mmap", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"),
        new("blob-pk+2ix(no request_id)/cache16M", $"CREATE TABLE usage (id BLOB NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_o ON usage (occurred_at);", true, 1, "PRAGMA cache_size=-16384;"),
        new("text-pk+3ix/page8k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "PRAGMA page_size=8192;"),
        new("B5k text-pk+3ix", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "PRAGMA cache_size=-16384;", 5000),
        new("B5k text-pk+2ix(no request_id)", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_o ON usage (occurred_at);", false, 1, "PRAGMA cache_size=-16384;", 5000),
        new("B5k blob-pk+3ix", $"CREATE TABLE usage (id BLOB NOT NULL PRIMARY KEY, {Columns}); {Indexes}", true, 1, "PRAGMA cache_size=-16384;", 5000),
        new("B5k blob-pk+2ix(no request_id)", $"CREATE TABLE usage (id BLOB NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_o ON usage (occurred_at);", true, 1, "PRAGMA cache_size=-16384;", 5000),
        new("B5k text-pk+3ix random-request-ids", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); {Indexes}", false, 1, "PRAGMA cache_size=-16384;", 5000) { RandomRequestIds = true },
        new("B5k text-pk+1ix(key only)", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at);", false, 1, "", 5000),
        // As the gateway inserts: rows queued in completion order, arrival times up to 0.25 ms before it (some 40 rows at this insert rate, as 2 ms at the gateway's 20,000 requests a second). Before ids were made
        // from the arrival time (ids in insert order, occurred_at not quite) and after (both not quite).
        new("B5k completion-ids+2ix(no request_id)", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_o ON usage (occurred_at);", false, 1, "", 5000) { ArrivalJitterMs = 0.25 },
        new("B5k arrival-ids+1ix(key only)", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at);", false, 1, "", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B5k arrival-ids+1ix(key only) sorted", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at);", false, 1, "", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true, SortBatch = true },
        new("B5k completion-ids+2ix(no request_id) sorted", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}); CREATE INDEX ix_k ON usage (key_id, occurred_at); CREATE INDEX ix_o ON usage (occurred_at);", false, 1, "", 5000) { ArrivalJitterMs = 0.25, SortBatch = true },
        new("B5k arrival-ids text-pk only", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns});", false, 1, "", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B5k arrival-ids rowid only", $"CREATE TABLE usage (id TEXT NOT NULL, {Columns});", false, 1, "", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B5k arrival-ids text-pk only page8k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns});", false, 1, "PRAGMA page_size=8192;", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B5k arrival-ids text-pk only page16k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns});", false, 1, "PRAGMA page_size=16384;", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B5k arrival-ids rowid only page16k", $"CREATE TABLE usage (id TEXT NOT NULL, {Columns});", false, 1, "PRAGMA page_size=16384;", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        // One B-tree keyed by the id itself: no rowid table beside the primary key's index.
        new("B5k arrival-ids without-rowid page16k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}) WITHOUT ROWID;", false, 1, "PRAGMA page_size=16384;", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B5k arrival-ids blob without-rowid page16k", $"CREATE TABLE usage (id BLOB NOT NULL PRIMARY KEY, {Columns}) WITHOUT ROWID;", true, 1, "PRAGMA page_size=16384;", 5000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B800 arrival-ids text-pk only page16k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns});", false, 1, "PRAGMA page_size=16384;", 800) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B800 arrival-ids without-rowid page16k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}) WITHOUT ROWID;", false, 1, "PRAGMA page_size=16384;", 800) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B2000 arrival-ids text-pk only page16k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns});", false, 1, "PRAGMA page_size=16384;", 2000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("B2000 arrival-ids without-rowid page16k", $"CREATE TABLE usage (id TEXT NOT NULL PRIMARY KEY, {Columns}) WITHOUT ROWID;", false, 1, "PRAGMA page_size=16384;", 2000) { ArrivalJitterMs = 0.25, ArrivalIds = true },
        new("blob-pk+3ix/multi20", $"CREATE TABLE usage (id BLOB NOT NULL PRIMARY KEY, {Columns}); {Indexes}", true, 20),
    ];

    public static void Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var only = args.Skip(1).ToHashSet(StringComparer.Ordinal);
        foreach (var layout in Layouts.Where(l => only.Count == 0 || only.Contains(l.Name)))
        {
            var folder = Directory.CreateTempSubdirectory("switchboard-layout-");
            try
            {
                var perRow = Measure(layout, Path.Combine(folder.FullName, "u.db"), rows, out var bytes);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{layout.Name,-30} {perRow,6:0.00} µs/row  {bytes / (double)rows,5:0} B/row on disk  load {File.ReadAllText("/proc/loadavg")[..14]}"));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                folder.Delete(recursive: true);
            }
        }
    }

    private static double Measure(Layout layout, string path, int rows, out long bytes)
    {
        Batteries_V2.Init();
        Check(raw.sqlite3_open(path, out var db), null);
        using (db)
        {
            // The layout's own settings first: a page size no longer changes once the file is in WAL mode.
            Exec(db, layout.Pragmas + "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            Exec(db, layout.Schema);
            var sql = new StringBuilder($"INSERT INTO usage ({Names}) VALUES ");
            for (var r = 0; r < layout.RowsPerStatement; r++)
            {
                sql.Append(r == 0 ? "(" : ",(").Append(string.Join(',', Enumerable.Repeat("?", 26))).Append(')');
            }

            Check(raw.sqlite3_prepare_v2(db, sql.ToString(), out var statement), db);
            using (statement)
            {
                var connections = Enumerable.Range(0, 32).Select(i => "0HNQIJ7RQ4F" + (char)('A' + i % 26) + (char)('A' + i / 26)).ToArray();
                var counters = new int[32];
                var warm = rows / 10;
                Insert(db, statement, layout, warm, connections, counters);
                var start = ThreadCpu.Now();
                Insert(db, statement, layout, rows, connections, counters);
                var used = ThreadCpu.Now() - start;
                bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
                return used.TotalMicroseconds / rows;
            }
        }
    }

    private static (Guid Id, DateTime At) Row(Layout layout)
    {
        var now = DateTime.UtcNow;
        var id = Guid.CreateVersion7();
        if (layout.ArrivalJitterMs > 0)
        {
            now = now.AddMilliseconds(-Random.Shared.NextDouble() * layout.ArrivalJitterMs);
        }

        return (layout.ArrivalIds ? Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)) : id, now);
    }

    // A batch's rows in id order, as the writer sorts them before inserting.
    private static (Guid Id, DateTime At)[] Plan(Layout layout)
    {
        var rows = new (Guid Id, DateTime At)[layout.Batch];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = Row(layout);
        }

        Array.Sort(rows, static (a, b) => a.Id.CompareTo(b.Id));
        return rows;
    }

    private static void Insert(sqlite3 db, sqlite3_stmt statement, Layout layout, int rows, string[] connections, int[] counters)
    {
        Span<byte> small = stackalloc byte[64];
        var text = new byte[256];
        var done = 0;
        while (done < rows)
        {
            Exec(db, "BEGIN");
            var planned = layout.SortBatch ? Plan(layout) : null;
            for (var inBatch = 0; inBatch < layout.Batch && done < rows; inBatch += layout.RowsPerStatement, done += layout.RowsPerStatement)
            {
                var i = 1;
                for (var r = 0; r < layout.RowsPerStatement; r++)
                {
                    var (id, now) = planned is null ? Row(layout) : planned[inBatch];

                    var c = (done + r) % 32;
                    var requestId = layout.RandomRequestIds ? Guid.NewGuid().ToString() : connections[c] + ":" + (++counters[c]).ToString("X8", CultureInfo.InvariantCulture);
                    if (layout.BlobId)
                    {
                        id.TryWriteBytes(small, bigEndian: true, out _);
                        Check(raw.sqlite3_bind_blob(statement, i++, small[..16]), db);
                    }
                    else
                    {
                        id.TryFormat(small, out var n, "D");
                        Ascii.ToUpperInPlace(small[..n], out _);
                        Check(raw.sqlite3_bind_text(statement, i++, small[..n]), db);
                    }

                    now.TryFormat(small, out var w, "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                    Check(raw.sqlite3_bind_text(statement, i++, small[..w]), db);
                    Text(statement, i++, requestId, text, db);
                    Text(statement, i++, "chat", text, db);
                    Text(statement, i++, "key_hGSvma7hLL1B", text, db);
                    Check(raw.sqlite3_bind_null(statement, i++), db);
                    Check(raw.sqlite3_bind_null(statement, i++), db);
                    Check(raw.sqlite3_bind_null(statement, i++), db);
                    Text(statement, i++, "gpt-4o-mini", text, db);
                    Text(statement, i++, "gpt-4o-mini", text, db);
                    Text(statement, i++, "upstream", text, db);
                    Text(statement, i++, "upstream/gpt-4o-mini", text, db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 28), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 31), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 8250), db);
                    Check(raw.sqlite3_bind_double(statement, i++, 0.684), db);
                    Check(raw.sqlite3_bind_null(statement, i++), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 1), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 0), db);
                    Text(statement, i++, "bypass", text, db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 0), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 0), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 200), db);
                    Check(raw.sqlite3_bind_null(statement, i++), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 0), db);
                    Check(raw.sqlite3_bind_int64(statement, i++, 0), db);
                }

                if (raw.sqlite3_step(statement) != raw.SQLITE_DONE)
                {
                    throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
                }

                raw.sqlite3_reset(statement);
            }

            Exec(db, "COMMIT");
        }
    }

    private static void Text(sqlite3_stmt statement, int index, string value, byte[] buffer, sqlite3 db)
    {
        var n = Encoding.UTF8.GetBytes(value, buffer);
        Check(raw.sqlite3_bind_text(statement, index, buffer.AsSpan(0, n)), db);
    }

    private static void Exec(sqlite3 db, string sql) => Check(raw.sqlite3_exec(db, sql), db);

    private static void Check(int rc, sqlite3? db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new InvalidOperationException($"SQLite {rc}: {(db is null ? string.Empty : raw.sqlite3_errmsg(db).utf8_to_string())}");
        }
    }
}
