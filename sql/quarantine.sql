-- Every unusable row of input {{ .Src.Name }}, all its columns, plus the reason
-- (SPEC §9) and the file it came from.
SELECT {{ template "quarantine_columns" . }}, q.reason, src._file AS source_file
{{- if .Src.InPlace }}
-- An export read in place: export_rows kept these rows' columns
-- (_quarantined), so the table is not read a third time.
FROM (SELECT _quarantined AS src, reason FROM {{ tmp .Rows }} WHERE _quarantined IS NOT NULL) AS q
{{- else }}
FROM {{ rel .Src.View }} src
JOIN {{ template "rows_as_of" . }} q ON q._file = src._file AND q._row = src._row
WHERE q.reason IS NOT NULL{{ if or .HasLater .LaterByDate }} AND NOT q.later{{ end }}
{{- end }}
