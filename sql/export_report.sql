{{ define "export_summary" -}}
-- One row per export (SPEC §6): rows in, kept, suppressed by reason,
-- quarantined, and the leak check, which every written export passed
-- before this step runs.
{{- range $i, $e := .Exports }}
{{ if $i }}UNION ALL
{{ end -}}
SELECT {{ cast (param $e.Name) "text" }} AS export, {{ cast (param $e.Destination) "text" }} AS destination, {{ cast (param $e.Category) "text" }} AS category,
  {{ cast (param $e.Channel) "text" }} AS channel, {{ cast (param $e.Mode) "text" }} AS mode,
  (SELECT count(*) FROM {{ tmp (print "export_rows__" $e.Name) }}) AS rows_in,
  {{ countIf "reason IS NULL" }} AS rows_kept,
  {{ countIf "reason IS NOT NULL" }} AS rows_suppressed,
  {{ countIf "reason = 'customer_opted_out'" }} AS customer_opted_out,
  {{ countIf "reason = 'identifier_opted_out'" }} AS identifier_opted_out,
  {{ countIf "reason = 'channel_opted_out'" }} AS channel_opted_out,
  {{ countIf "reason = 'not_opted_in'" }} AS not_opted_in,
  (SELECT count(*) FROM {{ tmp (print "export_rows__" $e.Name) }} WHERE reason IS NOT NULL) AS rows_quarantined,
  'passed' AS leak_check
FROM {{ tmp (print "export_decisions__" $e.Name) }}
{{- end }}
{{- end }}

{{ define "export_report" -}}
SELECT * FROM {{ tmp "export_summary" }}
{{- end }}
