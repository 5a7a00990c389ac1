-- Every opt-out an earlier run counted (a ledger row with a
-- first_enforced_at) must still count, and ends only by a correction row
-- that rejects it. The request log is append-only (SPEC §3.1) and a
-- person's state is derived from it on every run, so such an opt-out would
-- otherwise end with exit 0. The run stops on any (exit 3):
--   missing: it has no usable row left in any request source (a file or
--     partition deleted, a source dropped from the config, its rows
--     quarantined by a changed rule). Rows after D's as-of instant count
--     as present: a rerun of D after later dates reads the same files.
--   withdrawn: enforced as of D, its current row is no longer counted and
--     does not reject it: a pending request after policy.apply_pending
--     was turned off.
--   unseen: enforced as of D, it has rows but none D reads: each is dated
--     after D's as-of instant (received_at, or an updated_at after it or
--     in the future). An append-only log keeps the row an earlier run
--     counted, so its only row was rewritten in place (a status change
--     written over the row instead of appended beside it).
-- An opt_in that is gone can only leave its person more opted out, so it
-- is not asked for (a rule that now quarantines a malformed opt_in does not
-- stop every later run). Ledger retention (policy.retention_months) ends
-- the record, not the opt-out: an opt-out it removed, now or on an earlier
-- run (prev_requests_ledger_removed), is asked for like any other, since a
-- log that drops its rows at that age would silently end it.
WITH present AS (
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT request_id FROM {{ tmp (print "request_rows__" $s.Name) }} WHERE reason IS NULL
{{- end }}
),
recorded AS (
  SELECT request_id, request_type, first_enforced_at, first_enforced_date FROM {{ rel "prev_requests_ledger" }}
{{- if .HasPrevLedgerRemoved }}
  UNION ALL
  SELECT request_id, request_type, first_enforced_at, first_enforced_date FROM {{ rel "prev_requests_ledger_removed" }} rm
  WHERE NOT EXISTS (SELECT 1 FROM {{ rel "prev_requests_ledger" }} l WHERE l.request_id = rm.request_id)
{{- end }}
),
enforced AS (
  SELECT l.request_id, l.first_enforced_date,
    p.request_id IS NULL AS missing,
    coalesce(NOT c.counted AND c.status <> 'rejected' AND l.first_enforced_date <= {{ dateParam .P.Date }}, false) AS withdrawn,
    p.request_id IS NOT NULL AND c.request_id IS NULL AND l.first_enforced_date <= {{ dateParam .P.Date }} AS unseen
  FROM recorded l
  LEFT JOIN (SELECT DISTINCT request_id FROM present) p ON p.request_id = l.request_id
  LEFT JOIN {{ tmp "current_requests" }} c ON c.request_id = l.request_id
  WHERE l.first_enforced_at IS NOT NULL AND l.request_type = 'opt_out'
)
SELECT {{ countIf "missing" }} AS missing, min(CASE WHEN missing THEN request_id END) AS example,
  {{ cast "min(CASE WHEN missing THEN first_enforced_date END)" "text" }} AS earliest_enforced,
  {{ countIf "withdrawn" }} AS withdrawn, min(CASE WHEN withdrawn THEN request_id END) AS withdrawn_example,
  {{ countIf "unseen" }} AS unseen, min(CASE WHEN unseen THEN request_id END) AS unseen_example
FROM enforced
