using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "card_feedback",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    service_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    client_issuer = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    card_uuid = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    accepted_suggestion_ids_json = table.Column<string>(type: "text", nullable: false),
                    override_reason_system = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    override_reason_code = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    override_reason_display = table.Column<string>(type: "text", nullable: true),
                    user_comment = table.Column<string>(type: "text", nullable: true),
                    outcome_timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_card_feedback", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "coverage_assertions",
                columns: table => new
                {
                    assertion_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    client_issuer = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    hook_instance = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    patient_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    order_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    coverage_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    policy_version = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    covered = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    pa_needed = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    doc_needed = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    satisfied_pa_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    questionnaire_canonical = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    evidence_hash = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_coverage_assertions", x => x.assertion_id);
                });

            migrationBuilder.CreateTable(
                name: "hook_exchanges",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    service_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    hook = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    hook_instance = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    client_issuer = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    tenant = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    patient_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    request_body = table.Column<string>(type: "text", nullable: false),
                    response_body = table.Column<string>(type: "text", nullable: true),
                    http_status = table.Column<int>(type: "integer", nullable: false),
                    duration_ms = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hook_exchanges", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "coverage_assertion_criteria",
                columns: table => new
                {
                    assertion_id = table.Column<string>(type: "character varying(200)", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    criterion_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    status = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    explanation = table.Column<string>(type: "text", nullable: true),
                    evidence_references_json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_coverage_assertion_criteria", x => new { x.assertion_id, x.ordinal });
                    table.ForeignKey(
                        name: "fk_coverage_assertion_criteria_coverage_assertions",
                        column: x => x.assertion_id,
                        principalTable: "coverage_assertions",
                        principalColumn: "assertion_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ux_card_feedback_idempotency_key",
                table: "card_feedback",
                columns: new[] { "service_id", "client_issuer", "card_uuid", "outcome_timestamp" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_coverage_assertions_patient_order_created",
                table: "coverage_assertions",
                columns: new[] { "patient_reference", "order_reference", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_hook_exchanges_hook_instance",
                table: "hook_exchanges",
                column: "hook_instance");

            migrationBuilder.CreateIndex(
                name: "ix_hook_exchanges_patient_id_received_at_id",
                table: "hook_exchanges",
                columns: new[] { "patient_id", "received_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "card_feedback");

            migrationBuilder.DropTable(
                name: "coverage_assertion_criteria");

            migrationBuilder.DropTable(
                name: "hook_exchanges");

            migrationBuilder.DropTable(
                name: "coverage_assertions");
        }
    }
}
