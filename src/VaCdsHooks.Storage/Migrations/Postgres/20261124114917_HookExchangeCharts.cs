using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HookExchangeCharts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "hook_exchange_charts",
                columns: table => new
                {
                    hook_exchange_id = table.Column<long>(type: "bigint", nullable: false),
                    bundle = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hook_exchange_charts", x => x.hook_exchange_id);
                    table.ForeignKey(
                        name: "fk_hook_exchange_charts_hook_exchanges",
                        column: x => x.hook_exchange_id,
                        principalTable: "hook_exchanges",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "hook_exchange_charts");
        }
    }
}
