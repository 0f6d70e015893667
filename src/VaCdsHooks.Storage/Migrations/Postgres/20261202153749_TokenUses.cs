using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TokenUses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "token_uses",
                columns: table => new
                {
                    token_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    expires_at_unix_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_token_uses", x => x.token_key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_token_uses_expires_at_unix_ms",
                table: "token_uses",
                column: "expires_at_unix_ms");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "token_uses");
        }
    }
}
