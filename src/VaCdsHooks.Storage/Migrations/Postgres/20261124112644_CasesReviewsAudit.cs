using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace VaCdsHooks.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CasesReviewsAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor_user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    actor_role = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    action = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    patient_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    case_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    detail = table.Column<string>(type: "text", nullable: true),
                    client_address = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "prior_auth_cases",
                columns: table => new
                {
                    case_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    assertion_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    patient_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    order_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    coverage_reference = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    determination_summary = table.Column<string>(type: "text", nullable: true),
                    prior_auth_number = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    prior_auth_expires_on = table.Column<DateOnly>(type: "date", nullable: true),
                    indication_label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prior_auth_cases", x => x.case_id);
                    table.ForeignKey(
                        name: "fk_prior_auth_cases_coverage_assertions",
                        column: x => x.assertion_id,
                        principalTable: "coverage_assertions",
                        principalColumn: "assertion_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "prior_auth_case_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    case_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    summary = table.Column<string>(type: "text", nullable: false),
                    detail_json = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prior_auth_case_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_prior_auth_case_events_prior_auth_cases",
                        column: x => x.case_id,
                        principalTable: "prior_auth_cases",
                        principalColumn: "case_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "questionnaire_responses",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    case_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    assertion_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    client_id = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    submitted_identifier = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    resource_json = table.Column<string>(type: "text", nullable: false),
                    processing_state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    failure_reason = table.Column<string>(type: "text", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_questionnaire_responses", x => x.id);
                    table.ForeignKey(
                        name: "fk_questionnaire_responses_coverage_assertions",
                        column: x => x.assertion_id,
                        principalTable: "coverage_assertions",
                        principalColumn: "assertion_id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_questionnaire_responses_prior_auth_cases",
                        column: x => x.case_id,
                        principalTable: "prior_auth_cases",
                        principalColumn: "case_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "review_decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    case_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    decided_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    role = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    decision = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    policy_reason_code = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    rationale = table.Column<string>(type: "text", nullable: false),
                    prior_auth_number = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    prior_auth_expires_on = table.Column<DateOnly>(type: "date", nullable: true),
                    supersedes_decision_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_review_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_review_decisions_prior_auth_cases",
                        column: x => x.case_id,
                        principalTable: "prior_auth_cases",
                        principalColumn: "case_id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_review_decisions_review_decisions",
                        column: x => x.supersedes_decision_id,
                        principalTable: "review_decisions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_actor_at",
                table: "audit_events",
                columns: new[] { "actor_user_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_at",
                table: "audit_events",
                columns: new[] { "at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_case_at",
                table: "audit_events",
                columns: new[] { "case_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_patient_at",
                table: "audit_events",
                columns: new[] { "patient_reference", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_prior_auth_case_events_case_at",
                table: "prior_auth_case_events",
                columns: new[] { "case_id", "at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_prior_auth_cases_patient_order_created",
                table: "prior_auth_cases",
                columns: new[] { "patient_reference", "order_reference", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_prior_auth_cases_status_created",
                table: "prior_auth_cases",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ux_prior_auth_cases_assertion_id",
                table: "prior_auth_cases",
                column: "assertion_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_prior_auth_cases_prior_auth_number",
                table: "prior_auth_cases",
                column: "prior_auth_number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_questionnaire_responses_assertion_id",
                table: "questionnaire_responses",
                column: "assertion_id");

            migrationBuilder.CreateIndex(
                name: "ix_questionnaire_responses_state_received",
                table: "questionnaire_responses",
                columns: new[] { "processing_state", "received_at" });

            migrationBuilder.CreateIndex(
                name: "ux_questionnaire_responses_idempotency_key",
                table: "questionnaire_responses",
                columns: new[] { "case_id", "content_hash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_review_decisions_case_decided",
                table: "review_decisions",
                columns: new[] { "case_id", "decided_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_review_decisions_supersedes_decision_id",
                table: "review_decisions",
                column: "supersedes_decision_id");

            // The audit log is append-only even for someone with SQL access as the application role:
            // UPDATE, DELETE and TRUNCATE raise an error (SQLSTATE 42501, insufficient_privilege).
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_events_reject_change() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END;
                $$;

                CREATE TRIGGER audit_events_append_only
                    BEFORE UPDATE OR DELETE ON audit_events
                    FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();

                CREATE TRIGGER audit_events_no_truncate
                    BEFORE TRUNCATE ON audit_events
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Triggers before the function they call; the tables follow.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events; DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events; DROP FUNCTION IF EXISTS audit_events_reject_change();");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "prior_auth_case_events");

            migrationBuilder.DropTable(
                name: "questionnaire_responses");

            migrationBuilder.DropTable(
                name: "review_decisions");

            migrationBuilder.DropTable(
                name: "prior_auth_cases");
        }
    }
}
