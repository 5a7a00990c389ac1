-- The rows of input {{ .Src.Name }} that quarantine__{{ .Src.Name }} writes, and
-- why (SPEC §9).
SELECT _file, _row, reason FROM {{ tmp .Rows }} WHERE reason IS NOT NULL
