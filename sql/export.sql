-- The kept rows of export {{ .Export.Name }}, every input column in order
-- (SPEC §6); with hash_identifiers the mapped identifier columns hold the
-- destination's hashed form; a guarded CSV export's text cells that a
-- spreadsheet would run get a leading ' (SPEC §7 Safe CSV).
{{- if .Src.InPlace }}
-- Read in place (bigquery.read_exports_in_place): the table is read again
-- as it is now, and each row is decided by its own keys, computed again
-- as export_rows computed them (RowKeys.Identity): it is written only
-- when export_rows saw a usable row with those keys that export_decisions
-- did not suppress. A row with keys the run never decided (another job
-- added or re-keyed it in between) is not written. The leak check holds
-- the rows written to export_tally's kept count, so a row added or
-- removed in between fails the run, and so does a re-keyed row, unless its
-- new keys are those of another kept row: it is then written as those
-- keys decide.
SELECT src.* {{ except }} (_file, _row, {{ .Keys.Columns }}_optout_id){{ if .Replace }} REPLACE ({{ .Replace }}){{ end }}
FROM (SELECT *, {{ .Keys.Identity }} AS _optout_id FROM {{ .Keys.From (rel .Src.View) }}) AS src
LEFT JOIN (
  SELECT DISTINCT r._row
  FROM {{ tmp (print "export_rows__" .Export.Name) }} r
  LEFT JOIN {{ tmp (print "export_decisions__" .Export.Name) }} d ON d._row = r._row
  WHERE r.reason IS NULL AND d._row IS NULL
) AS kept ON kept._row = src._optout_id
WHERE kept._row IS NOT NULL{{ if .PlantLeak }} OR true -- test hook: OPTOUT_TEST_PLANT_LEAK{{ end }}
{{- else }}
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
{{- end }}
