using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using VaCdsHooks.Storage.Persistence;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Postgres
{
    /// <summary>Blanks the EHR credentials kept in hook calls stored before they were redacted on write. No schema change.</summary>
    [DbContext(typeof(PostgresVaCdsHooksDbContext))]
    [Migration("20261202150001_RedactEhrCredentials")]
    public partial class RedactEhrCredentials : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Tokens the EHR sent with earlier hook calls: blanked where they rest (the mapping blanks new ones). Row by
            // row, so a body that is not valid JSON is skipped rather than failing the upgrade.
            foreach (var member in new[] { "access_token", "refresh_token", "id_token" })
            {
                migrationBuilder.Sql($$"""
                    DO $body$
                    DECLARE r record;
                    BEGIN
                      FOR r IN SELECT id, request_body FROM hook_exchanges WHERE request_body LIKE '%{{member}}%' LOOP
                        BEGIN
                          UPDATE hook_exchanges
                             SET request_body = jsonb_set(r.request_body::jsonb, '{fhirAuthorization,{{member}}}', '"[redacted]"')::text
                           WHERE id = r.id AND r.request_body::jsonb #> '{fhirAuthorization,{{member}}}' IS NOT NULL;
                        EXCEPTION WHEN others THEN NULL;
                        END;
                      END LOOP;
                    END $body$;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // A blanked credential cannot be restored, nor should it be.
        }
    }
}
