-- The requests this run's retention removes from the published record:
-- those received before the cutoff, but for the ones an earlier run
-- removed already (requests_ledger_removed), which the request log still
-- holds and every run reads again.
SELECT count(*) AS removed FROM {{ tmp "ledger" }} l
{{- if .P.RetentionCutoff }}
WHERE l.received_at < {{ cast (param .P.RetentionCutoff) "timestamp" }}
{{- if .HasPrevLedgerRemoved }}
  AND NOT EXISTS (SELECT 1 FROM {{ rel "prev_requests_ledger_removed" }} rm WHERE rm.request_id = l.request_id)
{{- end }}
{{- else }}
WHERE false
{{- end }}
