-- The published record; with policy.retention_months set, requests received
-- before the cutoff leave it (ledger_removed counts them).
SELECT * FROM {{ tmp "ledger" }}
{{- if .P.RetentionCutoff }}
WHERE received_at >= {{ cast (param .P.RetentionCutoff) "timestamp" }}
{{- end }}
