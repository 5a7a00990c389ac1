-- The leak check of export {{ .Export.Name }} (SPEC §7): the file as
-- written, re-read, each row's state derived again from its keys exactly
-- as export_row_state derives it (the latest over its keys' latest,
-- key_category_state), and the rows that drop_reason would drop counted.
-- A row of the file is its list of keys: two rows with the same keys have
-- the same R(x). written is read twice, each time from the file: holding
-- every row's keys cost more than reading them again. kept is what
-- export_tally counted kept: the run fails when the file holds another
-- number of rows.
{{- if .Export.HashIdentifiers }}
-- The file holds the destination's hashes of the identifiers, so the keys
-- of key_category_state are hashed the same way (suppression.sql's
-- hashing) to meet them.
{{- end }}
WITH written AS {{ notMaterialized }}(
{{- if .Export.HashIdentifiers }}
  SELECT [{{ .WrittenHashes }}] AS row_keys FROM {{ rel .WrittenView }}
{{- else }}
  SELECT {{ .WrittenKeys.List }} AS row_keys FROM {{ .WrittenKeys.From (rel .WrittenView) }}
{{- end }}
),
keyed AS (
{{- if .Export.HashIdentifiers }}
{{- range $i, $h := .KeyHashes }}
  {{ if $i }}UNION ALL {{ end }}SELECT {{ lit $h.Family }} AS kind, {{ $h.Expr }} AS value, category, ord, state
  FROM {{ tmp "key_category_state" }}
  WHERE kind = {{ lit $h.Kind }} AND category IN ({{ param $.Export.Category }}, {{ param $.ChannelCategory }})
{{- end }}
{{- else }}
  SELECT kind, value, category, ord, state FROM {{ tmp "key_category_state" }}
  WHERE category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
{{- end }}
),
states AS (
  SELECT {{ groupKey "w.row_keys" }} AS subject, ke.category, {{ argMax "ke.state" "ke.ord" }} AS state
  FROM {{ unnestRows "written" "row_keys" "k" "" }} w
  JOIN keyed ke ON ke.kind = w.k.kind AND ke.value = w.k.value
  GROUP BY 1, ke.category
),
row_states AS (
  SELECT subject,
    max(CASE WHEN category = {{ param .Export.Category }} THEN state END) AS cat_state,
    max(CASE WHEN category = {{ param .ChannelCategory }} THEN state END) AS chan_state
  FROM states
  GROUP BY subject
),
flagged AS (
  SELECT s.cat_state, s.chan_state, false AS through_customer
  FROM written w
  LEFT JOIN row_states s ON s.subject = {{ groupKey "w.row_keys" }}
)
SELECT l.leaks, t.rows_kept AS kept
FROM (SELECT count(*) AS leaks FROM flagged WHERE {{ template "drop_reason" . }} IS NOT NULL) AS l
CROSS JOIN {{ tmp (print "export_tally__" .Export.Name) }} t
