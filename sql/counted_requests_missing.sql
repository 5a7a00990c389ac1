-- Every opt-out an earlier run counted (a ledger row with a
-- first_enforced_at) must still have a usable row in some request source.
-- The request log is append-only (SPEC §3.1) and a person's state is
-- derived from it on every run, so a counted opt-out whose rows are gone
-- (a file or partition deleted, a source dropped from the config, its rows
-- quarantined by a changed rule) would stop counting, and that person's
-- opt-out would end with exit 0. The run stops on any (exit 3). An opt_in
-- that is gone can only leave its person more opted out, so it is not
-- asked for (a rule that now quarantines a malformed opt_in does not stop
-- every later run). A request
-- that must no longer count gets a correction row instead: status
-- rejected, which the log keeps. Rows after D's as-of instant count as
-- present: a rerun of D after later dates reads the same files. A request
-- that this run's ledger retention removes (policy.retention_months) is
-- not asked for: the log may drop it at the same age.
WITH present AS (
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT request_id FROM {{ tmp (print "request_rows__" $s.Name) }} WHERE reason IS NULL
{{- end }}
)
SELECT count(*) AS missing, min(l.request_id) AS example,
  {{ cast "min(l.first_enforced_date)" "text" }} AS earliest_enforced
FROM {{ rel "prev_requests_ledger" }} l
LEFT JOIN (SELECT DISTINCT request_id FROM present) p ON p.request_id = l.request_id
WHERE l.first_enforced_at IS NOT NULL AND l.request_type = 'opt_out' AND p.request_id IS NULL
{{- if .P.RetentionCutoff }}
  AND l.received_at >= {{ cast (param .P.RetentionCutoff) "timestamp" }}
{{- end }}
