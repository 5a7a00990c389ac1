-- suppression.csv of export {{ .Export.Name }}: the destination-hashed
-- identifiers of everyone its category or channel excludes (SPEC §6):
-- every key opted out on its own (key_category_state) and every key of an
-- opted-out customer (those key_category_state has opted in:
-- suppressed_customer_keys), whether or not in today's export, and every
-- key of each row the export drops for an opt-out (its R(x) says the row's
-- person opted out, whichever key the deciding request came through). A row
-- dropped as not_opted_in is no opt-out and adds nothing. A key of a kept
-- row can be listed too (docs/decisions.md, "Suppression lists"). Only the
-- identifier types the destination takes, sorted.
-- (The list of a row's keys is made after the join, for the dropped rows
-- alone.)
WITH dropped AS (
  SELECT r.*
  FROM {{ tmp (print "export_rows__" .Export.Name) }} r
  JOIN {{ tmp (print "export_decisions__" .Export.Name) }} d ON d._file = r._file AND d._row = r._row
  WHERE d.reason IN ('customer_opted_out', 'identifier_opted_out', 'channel_opted_out')
),
{{- if .PlainHashes }}
-- A plain email or phone is decided as a row carrying it alone would be:
-- such a row also carries the hash keys it yields (SPEC §4), so the
-- latest request over the key and those hashes decides. Taken alone, an
-- email opted out by its hash was listed only as that hash (which Meta's
-- or Google's hashing of the address may not be), and one opted in by its
-- hash after an opt-out by the address was listed all the same. Every
-- plain key a request or a customer it reaches gives is decided so,
-- whatever categories its own requests cover (key_category_state holds
-- the exports' alone): one given only for another category, and opted out
-- of this one by the other form of its hash, was listed only as that hash
-- (an oracle probe, 2026-12-07).
plain_keys AS (
  SELECT kind, value FROM {{ tmp "request_keys" }} WHERE kind IN ('email', 'phone')
  UNION DISTINCT
  SELECT kind, value FROM {{ tmp "customer_keys" }} WHERE kind IN ('email', 'phone')
),
plain_hashes AS (
  {{- range $i, $h := .PlainHashes }}
  {{ if $i }}UNION ALL {{ end }}SELECT kind, value, {{ lit $h.HashKind }} AS hash_kind, {{ $h.Expr }} AS hash_value FROM plain_keys WHERE kind = {{ lit $h.Kind }}
  {{- end }}
),
plain_states AS (
  SELECT kind, value, category, ord, state FROM {{ tmp "key_category_state" }}
  WHERE kind IN ('email', 'phone') AND category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
  UNION ALL
  SELECT p.kind, p.value, h.category, h.ord, h.state
  FROM plain_hashes p
  JOIN {{ tmp "key_category_state" }} h ON h.kind = p.hash_kind AND h.value = p.hash_value
  WHERE h.category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
),
plain_latest AS (
  SELECT kind, value, {{ argMax "state" "ord" }} AS state FROM plain_states GROUP BY kind, value, category
),
{{- end }}
listed AS (
  SELECT kind, value FROM {{ tmp "key_category_state" }}
  WHERE state = 'opt_out' AND category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
{{- if .PlainHashes }}
    AND kind NOT IN ('email', 'phone')
  UNION ALL
  SELECT kind, value FROM plain_latest WHERE state = 'opt_out'
{{- end }}
  UNION ALL
  SELECT kind, value FROM {{ tmp "suppressed_customer_keys" }}
  WHERE category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
  UNION ALL
  SELECT rk.k.kind, rk.k.value
  FROM {{ unnestRows (.Keys.WithList "dropped") "keys" "k" "" }} rk
),
-- Each key is read and hashed once: its kind picks the identifier type and
-- the hash (a hashed kind is listed as it is). A key always has a value,
-- so the hash is never NULL: testing it would hash every key twice. An ad
-- platform's list leaves the kinds it does not take out before hashing.
-- The identifier type is carried as its rank in byte order (type_rank)
-- until the end: the rows are made distinct and sorted by a number and the
-- hash, not by two texts, and come out in the same order.
hashed AS (
  SELECT DISTINCT
    CASE kind{{ range .KeyHashes }} WHEN {{ lit .Kind }} THEN {{ .TypeRank }}{{ end }} END AS type_rank,
    CASE kind{{ range .KeyHashes }} WHEN {{ lit .Kind }} THEN {{ .Expr }}{{ end }} END AS hashed_value
  FROM listed
  WHERE value IS NOT NULL{{ if .SuppressionKinds }} AND kind IN ({{ .SuppressionKinds }}){{ end }}
)
SELECT CASE type_rank{{ range $i, $t := .IdentifierTypes }} WHEN {{ $i }} THEN {{ lit $t }}{{ end }} END AS identifier_type, hashed_value
FROM hashed
ORDER BY type_rank, hashed_value
