{{ define "export" -}}
-- The kept rows of export {{ .Export.Name }}, every input column in order
-- (SPEC §6); with hash_identifiers the mapped identifier columns hold the
-- destination's hashed form.
SELECT src.* {{ except }} (_file, _row){{ if .HashReplace }} REPLACE ({{ .HashReplace }}){{ end }}
FROM {{ rel .Src.View }} src
JOIN {{ tmp (print "export_decisions__" .Export.Name) }} d ON d._file = src._file AND d._row = src._row
WHERE d.reason IS NULL{{ if .PlantLeak }} OR true -- test hook: OPTOUT_TEST_PLANT_LEAK{{ end }}
{{- end }}
