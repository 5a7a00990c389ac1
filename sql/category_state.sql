{{ define "category_state_body" -}}
{{ template "category_states" . }}
SELECT * FROM states
{{- end }}

{{ define "category_states" -}}
-- The state of each subject per category (SPEC §5 rules 2-3), continuing a
-- WITH that defines `events` (subject, request_id, request_type,
-- received_at, category, ord) with the CTE `states` (subject, category,
-- state, deciding_request_id, opt_out_date): the latest covering request,
-- the one of greatest ord (rule 2's order, request_categories), decides.
-- opt_out_date is the received_at of the earliest opt_out after the last
-- opt_in. category_state_body selects it.
{{- if bigquery }}
-- In GoogleSQL without windows (the emulator's windows grow with the
-- square of the rows): each subject and category's requests as one array
-- in rule 2's order; the last decides; opt_out_date is the earliest
-- opt_out at a position after the last opt_in.
, ordered AS (
  SELECT {{ groupValue "subject" }} AS subject, category,
    ARRAY_AGG(STRUCT(request_type, request_id, received_at) ORDER BY ord) AS seq
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
-- One window, for the last opt_in's ord: numbering each subject's requests
-- again (row_number) cost as much as the rest of the step.
, marked AS (
  SELECT *,
    coalesce(max(CASE WHEN request_type = 'opt_in' THEN ord END) OVER (PARTITION BY subject, category), 0) AS last_opt_in
  FROM events
)
, states AS (
  SELECT subject, category,
    {{ argMax "request_type" "ord" }} AS state,
    {{ argMax "request_id" "ord" }} AS deciding_request_id,
    min(CASE WHEN request_type = 'opt_out' AND ord > last_opt_in THEN received_at END) AS opt_out_date
  FROM marked
  GROUP BY subject, category
)
{{- end }}
{{- end }}
