{{ define "export_tally" -}}
-- Export {{ .Export.Name }}'s row of export_summary (SPEC §6): rows in,
-- kept, suppressed by reason, quarantined, and the leak check, which the
-- run passes before it publishes anything. Counted as soon as the rows
-- are decided, so that their tables can go after the export's last step.
SELECT {{ cast (param .Export.Name) "text" }} AS export, {{ cast (param .Export.Destination) "text" }} AS destination, {{ cast (param .Export.Category) "text" }} AS category,
  {{ cast (param .Export.Channel) "text" }} AS channel, {{ cast (param .Export.Mode) "text" }} AS mode,
  (SELECT count(*) FROM {{ tmp (print "export_rows__" .Export.Name) }}) AS rows_in,
  {{ countIf "reason IS NULL" }} AS rows_kept,
  {{ countIf "reason IS NOT NULL" }} AS rows_suppressed,
  {{ countIf "reason = 'customer_opted_out'" }} AS customer_opted_out,
  {{ countIf "reason = 'identifier_opted_out'" }} AS identifier_opted_out,
  {{ countIf "reason = 'channel_opted_out'" }} AS channel_opted_out,
  {{ countIf "reason = 'not_opted_in'" }} AS not_opted_in,
  (SELECT count(*) FROM {{ tmp (print "export_rows__" .Export.Name) }} WHERE reason IS NOT NULL) AS rows_quarantined,
  'passed' AS leak_check
FROM {{ tmp (print "export_decisions__" .Export.Name) }}
{{- end }}

{{ define "export_summary" -}}
-- One row per export (SPEC §6), as export_tally counted it.
{{- range $i, $e := .Exports }}
{{ if $i }}UNION ALL
{{ end -}}
SELECT * FROM {{ tmp (print "export_tally__" $e.Name) }}
{{- end }}
{{- end }}

{{ define "export_report" -}}
SELECT * FROM {{ tmp "export_summary" }}
{{- end }}
