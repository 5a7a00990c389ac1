-- One statement, so the three columns come together or not at all (DDL
-- cannot join a BigQuery transaction). No DEFAULT: BigQuery adds a column
-- to an existing table empty (NULL; an ARRAY reads as []), and the update
-- below writes every matched row whose flags differ from that.
ALTER TABLE {{ .Table }}
  ADD COLUMN IF NOT EXISTS ccpa_opt_out {{ type "bool" }},
  ADD COLUMN IF NOT EXISTS opt_out_date {{ type "timestamp" }},
  ADD COLUMN IF NOT EXISTS opt_out_categories {{ type "text[]" }}
