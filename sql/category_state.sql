{{ define "category_state_body" -}}
-- The state of each subject per category (SPEC §5 rules 2-3), continuing a
-- WITH that defines `events` (subject, request_id, request_type,
-- received_at, category): the latest covering request decides, ordered by
-- received_at, then opt_out over opt_in, then the greater request_id.
-- opt_out_date is the received_at of the earliest opt_out after the last
-- opt_in in that order.
, ordered AS (
  SELECT *,
    row_number() OVER (PARTITION BY {{ groupKey "subject" }}, category
      ORDER BY received_at, CASE request_type WHEN 'opt_in' THEN 0 ELSE 1 END, request_id) AS seq
  FROM events
),
marked AS (
  SELECT *,
    coalesce(max(CASE WHEN request_type = 'opt_in' THEN seq END) OVER (PARTITION BY {{ groupKey "subject" }}, category), 0) AS last_opt_in_seq
  FROM ordered
)
SELECT {{ groupValue "subject" }} AS subject, category,
  {{ argMax "request_type" "seq" }} AS state,
  {{ argMax "request_id" "seq" }} AS deciding_request_id,
  min(CASE WHEN request_type = 'opt_out' AND seq > last_opt_in_seq THEN received_at END) AS opt_out_date
FROM marked
GROUP BY {{ groupKey "subject" }}, category
{{- end }}
