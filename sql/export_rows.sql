-- Every row of export {{ .Src.Name }} with the keys of its mapped identifier
-- columns; a row with no valid key cannot be checked and is quarantined.
-- The keys stay flat value columns (Plan.ExportRowKeys): a list of structs
-- per row held ~20 bytes a row more.
SELECT _file, _row, {{ .Keys.Columns }}
  {{ .Keys.Checks }}
  {{ rowReason (print (listLen .Keys.List) " = 0") "no_valid_key" }} AS reason
FROM {{ .Keys.From (rel .Src.View) }}
