{{ define "key_category_state" -}}
-- The state of each key per category, as an export row carrying only that
-- key would have it (SPEC §5 rules 2 and 4): its deciding request is the
-- latest (greatest ord) covering the category among the key's events
-- (key_events: the key's own requests and those of every customer with
-- it). via_customer says whether that request reached the key through a
-- customer. An export row's state is the latest over its keys'
-- (export_row_state); the suppression lists start from the keys opted out
-- here (suppressed_keys). Only the categories the exports decide on.
SELECT ke.kind, ke.value, rc.category,
  max(rc.ord) AS ord,
  {{ argMax "rc.request_type" "rc.ord" }} AS state,
  {{ argMax "ke.via_customer" "rc.ord" }} AS via_customer
FROM {{ tmp "key_events" }} ke
JOIN {{ tmp "request_categories" }} rc ON rc.request_id = ke.request_id
WHERE rc.category IN ({{ template "export_categories" . }})
GROUP BY ke.kind, ke.value, rc.category
{{- end }}


{{ define "export_categories" -}}
{{- /* The categories the exports decide on, as an IN list. */ -}}
{{ range $i, $c := .ExportCategories }}{{ if $i }}, {{ end }}{{ param $c }}{{ end }}
{{- end }}
