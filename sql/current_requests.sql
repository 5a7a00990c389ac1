-- Each request's current row as of D — greatest updated_at, then greater
-- file path, then later row (SPEC §3.1, §5 rule 1) — among its usable
-- rows, whatever its status; counted says whether rule 1 counts it:
-- rejected never, pending unless policy.apply_pending is false.
-- received_day is the day of receipt in the config's time zone, which the
-- metrics group by: converted once here, not once per metric (a time zone
-- conversion per row was most of each metric's time).
-- The current row is chosen over the columns its order reads, then joined
-- back: a window over the whole rows also sorted their lists of categories
-- and keys (1.9 s of CPU at 1M requests). _src tells apart the rows of two
-- sources that read the same file. received_day is added outside the
-- window: the BigQuery emulator miscounts a parameter in the SELECT of a
-- window function.
WITH chosen AS (
  SELECT request_id, _src, _file, _row
  FROM ({{ template "usable_request_rows" . }})
  QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY {{ template "current_row_order" }}, _src DESC) = 1
)
SELECT u.request_id, u.received_at, u.request_type, u.categories, u.status, u.source, u.traffic_source, u.state, u.keys,
  u.status <> 'rejected' AND (u.status <> 'pending' OR {{ param .P.ApplyPending }}) AS counted,
  {{ civilDate "u.received_at" (param .P.TimeZone) }} AS received_day
FROM ({{ template "usable_request_rows" . }}) u
JOIN chosen c ON c.request_id = u.request_id AND c._src = u._src AND c._file = u._file AND c._row = u._row

{{ define "usable_request_rows" -}}
{{- /* Every request source's usable rows as of D, each with its source's
  number (_src). */ -}}
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT {{ $i }} AS _src, request_id, received_at, updated_at, request_type, categories, status, source, traffic_source, state, keys, _file, _row
  FROM {{ template "rows_as_of" ($.AsOfRows (print "request_rows__" $s.Name)) }} r WHERE reason IS NULL AND NOT later
{{- end }}
{{- end }}
