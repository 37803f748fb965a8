using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Switchboard.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    prefix = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    key_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    team_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    allowed_models = table.Column<string>(type: "text", nullable: true),
                    rpm = table.Column<int>(type: "integer", nullable: true),
                    tpm = table.Column<int>(type: "integer", nullable: true),
                    budget_daily_usd = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    budget_monthly_usd = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    budget_total_usd = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    metadata = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "stored_messages",
                columns: table => new
                {
                    usage_id = table.Column<Guid>(type: "uuid", nullable: false),
                    encryption_key_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    nonce = table.Column<byte[]>(type: "bytea", nullable: false),
                    ciphertext = table.Column<byte[]>(type: "bytea", nullable: false),
                    tag = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stored_messages", x => x.usage_id);
                });

            migrationBuilder.CreateTable(
                name: "usage",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    request_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    endpoint = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    key_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    team_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    end_user = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    requested_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    served_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    provider = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    deployment = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    input_tokens = table.Column<int>(type: "integer", nullable: false),
                    output_tokens = table.Column<int>(type: "integer", nullable: false),
                    cost_nano_usd = table.Column<long>(type: "bigint", nullable: false),
                    latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    ttft_ms = table.Column<double>(type: "double precision", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    stream = table.Column<bool>(type: "boolean", nullable: false),
                    cache_result = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    cached_tokens = table.Column<int>(type: "integer", nullable: false),
                    cost_saved_nano_usd = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    error_code = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    has_stored_messages = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_keys_key_hash",
                table: "keys",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_keys_prefix",
                table: "keys",
                column: "prefix");

            migrationBuilder.CreateIndex(
                name: "ix_usage_key_id_occurred_at",
                table: "usage",
                columns: new[] { "key_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_occurred_at",
                table: "usage",
                column: "occurred_at");

            migrationBuilder.CreateIndex(
                name: "ix_usage_request_id",
                table: "usage",
                column: "request_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "keys");

            migrationBuilder.DropTable(
                name: "stored_messages");

            migrationBuilder.DropTable(
                name: "usage");
        }
    }
}
