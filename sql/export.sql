-- The kept rows of export {{ .Export.Name }}, every input column in order
-- (SPEC §6); with hash_identifiers the mapped identifier columns hold the
-- destination's hashed form; a guarded CSV export's text cells that a
-- spreadsheet would run get a leading ' (SPEC §7 Safe CSV).
SELECT src.* {{ except }} (_file, _row){{ if .Replace }} REPLACE ({{ .Replace }}){{ end }}
FROM {{ rel .Src.View }} src
-- Every row but those suppressed (export_decisions) and those quarantined
-- (export_rows): both few, so the input streams past a small hash table
-- (a LEFT JOIN that keeps the rows it misses: NOT EXISTS took three times
-- as long on DuckDB). The leak check then holds the written file to the
-- rows export_tally counts kept.
LEFT JOIN (
  SELECT _file, _row FROM {{ tmp (print "export_decisions__" .Export.Name) }}
  UNION ALL
  SELECT _file, _row FROM {{ tmp (print "export_rows__" .Export.Name) }} WHERE reason IS NOT NULL
) AS gone ON gone._file = src._file AND gone._row = src._row
WHERE gone._row IS NULL{{ if .PlantLeak }} OR true -- test hook: OPTOUT_TEST_PLANT_LEAK{{ end }}
