using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Switchboard.Conversations.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Partitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_conversations_name",
                table: "conversations");

            // Conversations stored before partitions existed go to the shared partition, where an open gateway, the
            // master key and conversations.partition: global find them.
            migrationBuilder.AddColumn<string>(
                name: "partition",
                table: "conversations",
                type: "TEXT",
                maxLength: 256,
                nullable: false,
                defaultValue: "global");

            migrationBuilder.CreateIndex(
                name: "ix_conversations_partition_name",
                table: "conversations",
                columns: new[] { "partition", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_conversations_partition_name",
                table: "conversations");

            migrationBuilder.DropColumn(
                name: "partition",
                table: "conversations");

            migrationBuilder.CreateIndex(
                name: "ix_conversations_name",
                table: "conversations",
                column: "name",
                unique: true);
        }
    }
}
