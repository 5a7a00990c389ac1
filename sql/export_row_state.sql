{{ define "export_row_state" -}}
-- The state of each usable row of export {{ .Export.Name }} for its category
-- and channel (SPEC §5 rule 4): the latest covering request of the one union
-- R(x), the requests made with the row's keys and those of every customer
-- the row reaches through any of them. key_events holds that union per key,
-- so a row's union is that of its keys'. A row no request covers has no row
-- here. The subject is the row: (_file, _row).
-- (DISTINCT before the subject is made a struct: BigQuery refuses
-- SELECT DISTINCT over a STRUCT column.)
WITH events AS (
  SELECT {{ struct "f" "_file" "r" "_row" }} AS subject, request_id, request_type, received_at, category
  FROM (
    SELECT DISTINCT rk._file, rk._row, rc.request_id, rc.request_type, rc.received_at, rc.category
    FROM {{ unnestRows (tmp (print "export_rows__" .Export.Name)) "keys" "k" "reason IS NULL" }} rk
    JOIN {{ tmp "key_events" }} ke ON ke.kind = rk.k.kind AND ke.value = rk.k.value
    JOIN {{ tmp "request_categories" }} rc ON rc.request_id = ke.request_id
    WHERE rc.category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
  )
)
{{ template "category_state_body" . }}
{{- end }}
