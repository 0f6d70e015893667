using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AssertionCriterionFlags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "flags_json",
                table: "coverage_assertion_criteria",
                type: "TEXT",
                nullable: false,
                defaultValueSql: "'[]'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "flags_json",
                table: "coverage_assertion_criteria");
        }
    }
}
