{{ define "export_row_state" -}}
-- For mode require_opt_in: the state of each row of export {{ .Export.Name }}
-- for its category from R(x), its own keys' requests and those of every
-- customer it reaches (SPEC §5 rule 4).
WITH events AS (
  SELECT DISTINCT {{ struct "f" "rk._file" "r" "rk._row" }} AS subject, rc.request_id, rc.request_type, rc.received_at, rc.category
  FROM {{ unnestRows (tmp (print "export_rows__" .Export.Name)) "keys" "k" "reason IS NULL" }} rk
  JOIN {{ tmp "key_events" }} ke ON ke.kind = rk.k.kind AND ke.value = rk.k.value
  JOIN {{ tmp "request_categories" }} rc ON rc.request_id = ke.request_id AND rc.category = {{ param .Export.Category }}
)
{{ template "category_state_body" . }}
{{- end }}
