using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Switchboard.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeySpendPerDay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_usage_key_id_occurred_at",
                table: "usage");

            migrationBuilder.CreateTable(
                name: "key_spend",
                columns: table => new
                {
                    key_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    nano_usd = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_key_spend", x => new { x.key_id, x.day });
                });

            // What every key spent so far, per UTC day of arrival, from the rows already there.
            migrationBuilder.Sql("INSERT INTO key_spend (key_id, day, nano_usd) SELECT key_id, (occurred_at AT TIME ZONE 'UTC')::date, SUM(cost_nano_usd) FROM usage WHERE key_id IS NOT NULL GROUP BY 1, 2;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "key_spend");

            migrationBuilder.CreateIndex(
                name: "ix_usage_key_id_occurred_at",
                table: "usage",
                columns: new[] { "key_id", "occurred_at" });
        }
    }
}
