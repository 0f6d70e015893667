using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using VaCdsHooks.Storage.Persistence;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Sqlite
{
    /// <summary>Blanks the EHR credentials kept in hook calls stored before they were redacted on write. No schema change.</summary>
    [DbContext(typeof(SqliteVaCdsHooksDbContext))]
    [Migration("20261202150000_RedactEhrCredentials")]
    public partial class RedactEhrCredentials : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Tokens the EHR sent with earlier hook calls: blanked where they rest (the mapping blanks new ones).
            foreach (var member in new[] { "access_token", "refresh_token", "id_token" })
            {
                migrationBuilder.Sql(
                    $"UPDATE hook_exchanges SET request_body = json_set(request_body, '$.fhirAuthorization.{member}', '[redacted]') " +
                    $"WHERE json_valid(request_body) AND json_type(request_body, '$.fhirAuthorization.{member}') IS NOT NULL;");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // A blanked credential cannot be restored, nor should it be.
        }
    }
}
