-- Each request's current row as of D (SPEC §3.1, §5 rule 1) — greatest
-- updated_at, then greater file path, then later row — among its usable
-- rows, whatever its status; counted says whether rule 1 counts it:
-- rejected never, pending unless policy.apply_pending is false.
-- received_day is the day of receipt in the config's time zone, which the
-- metrics group by: converted once here, not once per metric (a time zone
-- conversion per row was most of each metric's time). It is added outside
-- the window: the BigQuery emulator miscounts a parameter in the SELECT of
-- a window function.
-- Most requests have one row: only the rows of those with several are
-- ordered (a window over every row was most of this step's time).
WITH all_rows AS (
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT request_id, received_at, updated_at, request_type, categories, status, source, traffic_source, state, keys, _file, _row
  FROM {{ template "rows_as_of" ($.AsOfRows (print "request_rows__" $s.Name)) }} r WHERE reason IS NULL AND NOT later
{{- end }}
),
several AS (
  SELECT request_id FROM all_rows GROUP BY request_id HAVING count(*) > 1
),
current_rows AS (
  SELECT * FROM all_rows r WHERE NOT EXISTS (SELECT 1 FROM several s WHERE s.request_id = r.request_id)
  UNION ALL
  SELECT * FROM (
    SELECT * FROM all_rows WHERE request_id IN (SELECT request_id FROM several)
    QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY {{ template "current_row_order" }}) = 1
  )
)
SELECT *, {{ civilDate "received_at" (param .P.TimeZone) }} AS received_day
FROM (
  SELECT request_id, received_at, request_type, categories, status, source, traffic_source, state, keys,
    status <> 'rejected' AND (status <> 'pending' OR {{ param .P.ApplyPending }}) AS counted
  FROM current_rows
)
