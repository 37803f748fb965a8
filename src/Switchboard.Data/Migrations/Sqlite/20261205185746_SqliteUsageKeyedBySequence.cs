using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Switchboard.Data.Migrations.Sqlite
{
    /// <summary>
    /// Keys <c>usage</c> by <c>seq</c>, SQLite's row id, instead of the GUID (which stays, without an index): a row is
    /// then one entry in one B-tree. Written by hand: the rows already there get their keys from their ids'
    /// milliseconds, numbered within each millisecond, as <c>UsageSequence</c> makes them.
    /// </summary>
    public partial class SqliteUsageKeyedBySequence : Migration
    {
        private const string Columns = """
            "occurred_at" TEXT NOT NULL,
            "request_id" TEXT NOT NULL,
            "endpoint" TEXT NOT NULL,
            "key_id" TEXT NULL,
            "user_id" TEXT NULL,
            "team_id" TEXT NULL,
            "end_user" TEXT NULL,
            "requested_model" TEXT NOT NULL,
            "served_model" TEXT NULL,
            "provider" TEXT NULL,
            "deployment" TEXT NULL,
            "input_tokens" INTEGER NOT NULL,
            "output_tokens" INTEGER NOT NULL,
            "cost_nano_usd" INTEGER NOT NULL,
            "latency_ms" REAL NOT NULL,
            "ttft_ms" REAL NULL,
            "attempts" INTEGER NOT NULL,
            "stream" INTEGER NOT NULL,
            "cache_result" TEXT NULL,
            "cached_tokens" INTEGER NOT NULL,
            "cost_saved_nano_usd" INTEGER NOT NULL,
            "status" INTEGER NOT NULL,
            "error_code" TEXT NULL,
            "has_stored_messages" INTEGER NOT NULL,
            "compression_tokens_saved" INTEGER NOT NULL DEFAULT 0
            """;

        private const string Names = "\"id\", \"occurred_at\", \"request_id\", \"endpoint\", \"key_id\", \"user_id\", \"team_id\", \"end_user\", \"requested_model\", \"served_model\", \"provider\", \"deployment\", \"input_tokens\", \"output_tokens\", \"cost_nano_usd\", \"latency_ms\", \"ttft_ms\", \"attempts\", \"stream\", \"cache_result\", \"cached_tokens\", \"cost_saved_nano_usd\", \"status\", \"error_code\", \"has_stored_messages\", \"compression_tokens_saved\"";

        // UsageSequence.CounterBits and UsageSequence.MaxMilliseconds as they were when this migration was written.
        private const int CounterBits = 20;
        private const long MaxMilliseconds = (1L << (63 - CounterBits)) - 1;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE "ef_temp_usage" (
                    "seq" INTEGER NOT NULL CONSTRAINT "pk_usage" PRIMARY KEY,
                    "id" TEXT NOT NULL,
                    {Columns}
                );
                INSERT INTO "ef_temp_usage" ("seq", {Names})
                SELECT ("ms" << {CounterBits}) + ROW_NUMBER() OVER (PARTITION BY "ms" ORDER BY "id") - 1, {Names}
                FROM (SELECT *, min({MillisecondOfId()}, {MaxMilliseconds}) AS "ms" FROM "usage");
                DROP TABLE "usage";
                ALTER TABLE "ef_temp_usage" RENAME TO "usage";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE "ef_temp_usage" (
                    "id" TEXT NOT NULL CONSTRAINT "pk_usage" PRIMARY KEY,
                    {Columns}
                );
                INSERT INTO "ef_temp_usage" ({Names}) SELECT {Names} FROM "usage";
                DROP TABLE "usage";
                ALTER TABLE "ef_temp_usage" RENAME TO "usage";
                """);
        }

        /// <summary>
        /// The first 48 bits of the id (stored as upper-case GUID text, <c>XXXXXXXX-XXXX-...</c>) as a number: the
        /// millisecond of a version 7 GUID. SQLite has no function that reads hexadecimal, so digit by digit.
        /// </summary>
        private static string MillisecondOfId()
        {
            var sum = new StringBuilder();
            var digits = new[] { 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13 };
            for (var d = 0; d < digits.Length; d++)
            {
                sum.Append(d == 0 ? "(" : " + ")
                    .Append(CultureInfo.InvariantCulture, $"(instr('0123456789ABCDEF', substr(upper(\"id\"), {digits[d]}, 1)) - 1) * {1L << (4 * (digits.Length - 1 - d))}");
            }

            return sum.Append(')').ToString();
        }
    }
}
