{{ define "export" -}}
-- The kept rows of export {{ .Export.Name }}, every input column in order
-- (SPEC §6); with hash_identifiers the mapped identifier columns hold the
-- destination's hashed form; a guarded CSV export's text cells that a
-- spreadsheet would run get a leading ' (SPEC §7 Safe CSV).
SELECT src.* {{ except }} (_file, _row){{ if .Replace }} REPLACE ({{ .Replace }}){{ end }}
FROM {{ rel .Src.View }} src
JOIN {{ tmp (print "export_decisions__" .Export.Name) }} d ON d._file = src._file AND d._row = src._row
WHERE d.reason IS NULL{{ if .PlantLeak }} OR true -- test hook: OPTOUT_TEST_PLANT_LEAK{{ end }}
{{- end }}
