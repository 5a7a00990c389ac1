-- optout explain --request-id: every row of the request in the request
-- sources, and what a run for D makes of it: the current row (the one
-- current_requests keeps), a row an update superseded, a quarantined row,
-- or a row after the as-of instant that a run for D does not read.
WITH req_rows AS (
  SELECT * {{ except }} (keys) FROM (
    {{ template "explain_request_rows_as_of" . }}
  ) WHERE request_id = optout_id(CAST({{ param .Subject }} AS STRING))
)
SELECT input, _file AS file, _row AS {{ ident "row" }}, received_at, updated_at, request_type, array_to_string(categories, ',') AS categories, status,
  CASE WHEN later THEN 'after the as-of instant: not read for the date'
       WHEN reason IS NOT NULL THEN 'quarantined: ' || reason
       WHEN row_number() OVER (PARTITION BY reason IS NULL AND NOT later ORDER BY {{ template "current_row_order" }}) = 1 THEN 'current'
       ELSE 'superseded by a later update' END AS outcome
FROM req_rows
