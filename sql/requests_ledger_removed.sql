-- What ledger retention removed (docs/tables.md): one row per request
-- removed from requests_ledger, with its first enforcement, which the
-- ledger step gives back to the request when the append-only request log
-- still holds it. Without it every later run took such a request as first
-- enforced that night. Only ids, times and dates: nothing of the person.
-- This run's removals carry their ledger row's values (an earlier
-- removal's first enforcement included, through the ledger step); the
-- earlier removals this run does not see again stay as they were.
-- request_type: an opt-out removed here is still in force, and its rows
-- must stay in the log (counted_requests_missing).
WITH removed_now AS (
  SELECT request_id, received_at, request_type, first_enforced_at, first_enforced_date
  FROM {{ tmp "ledger" }}
{{- if .P.RetentionCutoff }}
  WHERE received_at < {{ cast (param .P.RetentionCutoff) "timestamp" }}
{{- else }}
  WHERE false
{{- end }}
)
SELECT * FROM removed_now
{{- if .HasPrevLedgerRemoved }}
UNION ALL
SELECT request_id, received_at, request_type, first_enforced_at, first_enforced_date
FROM {{ rel "prev_requests_ledger_removed" }} rm
WHERE NOT EXISTS (SELECT 1 FROM removed_now n WHERE n.request_id = rm.request_id)
{{- end }}
