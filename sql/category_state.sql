{{ define "category_state_body" -}}
{{ template "category_states" . }}
SELECT * FROM states
{{- end }}

{{ define "category_states" -}}
-- The state of each subject per category (SPEC §5 rules 2-3), continuing a
-- WITH that defines `events` (subject, request_id, request_type,
-- received_at, category) with the CTE `states` (subject, category, state,
-- deciding_request_id, opt_out_date): the latest covering request decides,
-- ordered by received_at, then opt_out over opt_in, then the greater
-- request_id. opt_out_date is the received_at of the earliest opt_out
-- after the last opt_in in that order. category_state_body selects it.
{{- if bigquery }}
-- In GoogleSQL without windows (the emulator's windows grow with the
-- square of the rows): each subject and category's requests as one array
-- in that order; the last decides; opt_out_date is the earliest opt_out
-- at a position after the last opt_in. The order is by UNIX_MICROS of the
-- time (the same order, to BigQuery's microsecond): the emulator's
-- ARRAY_AGG ignores a TIMESTAMP sort key.
, ordered AS (
  SELECT {{ groupValue "subject" }} AS subject, category,
    ARRAY_AGG(STRUCT(request_type, request_id, received_at)
      ORDER BY UNIX_MICROS(received_at), CASE request_type WHEN 'opt_in' THEN 0 ELSE 1 END, request_id) AS seq
  FROM events
  GROUP BY {{ groupKey "subject" }}, category
)
, states AS (
  SELECT subject, category,
    seq[OFFSET(ARRAY_LENGTH(seq) - 1)].request_type AS state,
    seq[OFFSET(ARRAY_LENGTH(seq) - 1)].request_id AS deciding_request_id,
    (SELECT min(e.received_at) FROM UNNEST(seq) AS e WITH OFFSET i
     WHERE e.request_type = 'opt_out'
       AND i > coalesce((SELECT max(j) FROM UNNEST(seq) AS o WITH OFFSET j WHERE o.request_type = 'opt_in'), -1)) AS opt_out_date
  FROM ordered
)
{{- else }}
, ordered AS (
  SELECT *,
    row_number() OVER (PARTITION BY subject, category
      ORDER BY received_at, CASE request_type WHEN 'opt_in' THEN 0 ELSE 1 END, request_id) AS seq
  FROM events
),
marked AS (
  SELECT *,
    coalesce(max(CASE WHEN request_type = 'opt_in' THEN seq END) OVER (PARTITION BY subject, category), 0) AS last_opt_in_seq
  FROM ordered
)
, states AS (
  SELECT subject, category,
    {{ argMax "request_type" "seq" }} AS state,
    {{ argMax "request_id" "seq" }} AS deciding_request_id,
    min(CASE WHEN request_type = 'opt_out' AND seq > last_opt_in_seq THEN received_at END) AS opt_out_date
  FROM marked
  GROUP BY subject, category
)
{{- end }}
{{- end }}
