-- The leak check of export {{ .Export.Name }} (SPEC §7): the file as
-- written, re-read, each row's state derived again from its keys as
-- export_row_state derives it (the latest over its keys' latest,
-- key_category_state), and the rows that drop_reason would drop counted.
-- One read of the file: each key column of a written row is probed on its
-- own, once per category (a list of each row's keys, unnested and grouped
-- back by row, cost more). kept is what export_tally counted kept: the run
-- fails when the file holds another number of rows.
{{- if .Export.HashIdentifiers }}
-- The file holds the destination's hashes of the identifiers, so the keys
-- of key_category_state are hashed the same way (suppression.sql's
-- hashing) to meet them.
{{- end }}
-- A key's latest word on a category as one number: its ord doubled, plus
-- one for an opt_out. Ords are distinct, so the greatest over a row's keys
-- is the row's latest, and it is odd when that is an opt_out; -1: none.
WITH coded AS (
{{- if .Export.HashIdentifiers }}
  -- Keys of several kinds meet under one hash (a number and its own
  -- phone_sha256): one row per hash, the greatest of their codes, as a row
  -- carrying it would be decided over all of them.
  SELECT kind, value, category, max(code) AS code
  FROM (
{{- range $i, $h := .KeyHashes }}
    {{ if $i }}UNION ALL {{ end }}SELECT {{ keyKind $h.Family }} AS kind, {{ $h.Expr }} AS value, category, {{ template "leak_code" }} AS code
    FROM {{ tmp "key_category_state" }}
    WHERE kind = {{ lit $h.Kind }} AND category IN ({{ param $.Export.Category }}, {{ param $.ChannelCategory }})
{{- end }}
  ) hashed
  GROUP BY kind, value, category
{{- else }}
  SELECT kind, value, category, {{ template "leak_code" }} AS code FROM {{ tmp "key_category_state" }}
  WHERE category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
{{- end }}
),
latest AS (
  SELECT
    greatest(-1{{ range $i, $c := .WrittenKeys.Cols }}, coalesce(c{{ $i }}.code, -1){{ end }}) AS cat_code,
    {{ if .ChannelCategory }}greatest(-1{{ range $i, $c := .WrittenKeys.Cols }}, coalesce(h{{ $i }}.code, -1){{ end }}){{ else }}-1{{ end }} AS chan_code
  FROM {{ .WrittenKeys.From (rel .WrittenView) }} w
{{- range $i, $c := .WrittenKeys.Cols }}
  LEFT JOIN coded c{{ $i }} ON c{{ $i }}.kind = {{ keyKind $c.Kind }} AND c{{ $i }}.category = {{ param $.Export.Category }} AND c{{ $i }}.value = w.{{ $c.Col }}
{{- if $.ChannelCategory }}
  LEFT JOIN coded h{{ $i }} ON h{{ $i }}.kind = {{ keyKind $c.Kind }} AND h{{ $i }}.category = {{ param $.ChannelCategory }} AND h{{ $i }}.value = w.{{ $c.Col }}
{{- end }}
{{- end }}
),
flagged AS (
  SELECT
    CASE WHEN cat_code >= 0 THEN CASE WHEN MOD(cat_code, 2) = 1 THEN 'opt_out' ELSE 'opt_in' END END AS cat_state,
    CASE WHEN chan_code >= 0 THEN CASE WHEN MOD(chan_code, 2) = 1 THEN 'opt_out' ELSE 'opt_in' END END AS chan_state,
    false AS through_customer
  FROM latest
)
SELECT l.leaks, t.rows_kept AS kept
FROM (SELECT count(*) AS leaks FROM flagged WHERE {{ template "drop_reason" . }} IS NOT NULL) AS l
CROSS JOIN {{ tmp (print "export_tally__" .Export.Name) }} t

{{ define "leak_code" }}ord * 2 + CASE WHEN state = 'opt_out' THEN 1 ELSE 0 END{{ end }}
