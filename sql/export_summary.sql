-- One row per export (SPEC §6), as export_tally counted it.
{{- range $i, $e := .Exports }}
{{ if $i }}UNION ALL
{{ end -}}
SELECT * FROM {{ tmp (print "export_tally__" $e.Name) }}
{{- end }}
