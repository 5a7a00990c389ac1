{{ define "category_states" -}}
-- The state of each subject per category (SPEC §5 rules 2-3), continuing a
-- WITH that defines `events` (subject, request_id, request_type,
-- received_at, category, ord) with the CTE `states` (subject, category,
-- state, deciding_request_id, opt_out_date): the latest covering request,
-- the one of greatest ord (rule 2's order, request_categories), decides.
-- opt_out_date is the received_at of the earliest opt_out after the last
-- opt_in. customer_category_state and explain_state select from it.
{{- if bigquery }}
-- In GoogleSQL without windows (the emulator's windows grow with the
-- square of the rows): each subject and category's requests as one array
-- in rule 2's order; the last decides; opt_out_date is the earliest
-- opt_out at a position after the last opt_in.
, ordered AS (
  SELECT subject, category,
    ARRAY_AGG(STRUCT(request_type, request_id, received_at) ORDER BY ord) AS seq
  FROM events
  GROUP BY subject, category
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
-- No window: a window over every subject and category (to find the last
-- opt_in's ord) cost as much as the rest of the step, and only a subject
-- opted out again after an opt_in needs it. With no opt_in, opt_out_date is
-- the earliest opt_out; when the latest request is an opt_in there is none;
-- else it is the earliest opt_out after the last opt_in (reopted).
, grouped AS (
  SELECT subject, category,
    {{ argMax "request_id" "ord" }} AS deciding_request_id,
    max(ord) AS last,
    max(CASE WHEN request_type = 'opt_in' THEN ord END) AS last_opt_in,
    min(CASE WHEN request_type = 'opt_out' THEN received_at END) AS first_opt_out
  FROM events
  GROUP BY subject, category
)
, reopted AS (
  SELECT e.subject, e.category, min(e.received_at) AS opt_out_date
  FROM events e
  JOIN grouped g ON g.subject = e.subject AND g.category = e.category
  WHERE g.last_opt_in < g.last
    AND e.request_type = 'opt_out' AND e.ord > g.last_opt_in
  GROUP BY e.subject, e.category
)
, states AS (
  -- The latest request decides: an opt_in when its ord is the last
  -- opt_in's (an ord is one request's). A string arg_max cost more.
  SELECT g.subject, g.category,
    CASE WHEN g.last_opt_in = g.last THEN 'opt_in' ELSE 'opt_out' END AS state,
    g.deciding_request_id,
    CASE WHEN g.last_opt_in IS NULL THEN g.first_opt_out ELSE r.opt_out_date END AS opt_out_date
  FROM grouped g
  LEFT JOIN reopted r ON r.subject = g.subject AND r.category = g.category
)
{{- end }}
{{- end }}
