-- K(c) of every customer who shares a key with a counted request: its
-- identifiers, customer_id and identity links (SPEC §5). The other
-- customers have no request in R(c), so their flags are the defaults and
-- no export row reaches a request through them: no step needs their keys.
-- One scan of customer_rows keeps the customers any of whose key columns
-- is among the small request_keys (a probe per key column of one scan
-- costs less than a join per column, each scanning the table). Links of
-- unknown customers add nothing.
WITH own AS (
  SELECT customer_id, {{ .CustomerKeys.List }} AS keys
  FROM {{ tmp "customer_rows" }} c
  WHERE reason IS NULL AND (
{{- range $i, $c := .CustomerKeys.Cols }}
    {{ if $i }}OR {{ end }}c.{{ $c.Col }} IN (SELECT value FROM {{ tmp "request_keys" }} WHERE kind = {{ keyKind $c.Kind }})
{{- end }}
{{- if .LinkKeys.Cols }}
    OR c.customer_id IN (
{{- range $i, $c := .LinkKeys.Cols }}
      {{ if $i }}UNION DISTINCT {{ end }}SELECT l.customer_id
      FROM {{ tmp "link_rows" }} l
      JOIN {{ tmp "request_keys" }} rk ON rk.kind = {{ keyKind $c.Kind }} AND rk.value = l.{{ $c.Col }}
      WHERE l.reason IS NULL
{{- end }})
{{- end }}
  )
)
{{- if .HasLinks }},
-- The links of those customers, whose list of keys is made here alone.
own_links AS (
  SELECT * FROM {{ tmp "link_rows" }}
  WHERE reason IS NULL AND customer_id IN (SELECT customer_id FROM own)
)
{{- end }}
-- A customer's own keys are already distinct (one per identifier kind, and
-- customer_id is unique: customer_duplicates fails the run otherwise), so
-- only the keys its links add are de-duplicated.
SELECT customer_id, k.kind AS kind, k.value AS value
FROM {{ unnestRows "own" "keys" "k" "" }}
{{- if .HasLinks }}
UNION ALL
SELECT DISTINCT l.customer_id, l.k.kind, l.k.value
FROM {{ unnestRows (.LinkKeys.WithList "own_links") "keys" "k" "" }} AS l
JOIN own c ON c.customer_id = l.customer_id
WHERE NOT {{ listAny "c.keys" "ck" "ck.kind = l.k.kind AND ck.value = l.k.value" }}
{{- end }}
