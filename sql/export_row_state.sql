-- The state of each usable row of export {{ .Export.Name }} for its category
-- and channel (SPEC §5 rule 4): the latest covering request of the one union
-- R(x), the requests made with the row's keys and those of every customer
-- the row reaches through any of them. R(x) is the union of its keys'
-- events, and the latest of a union is the latest of its parts' latest:
-- so the row's deciding request is the latest over its keys'
-- (key_category_state), found by probing that small table with the row's
-- keys. A row no request covers has no row here.
-- through_customer: some key of the row reached the deciding request
-- through a customer (a key that has it among its events has it as its
-- own latest too, so the keys that tie are the ones to look at).
-- Each key column of the rows is probed on its own: a list of each row's
-- keys, unnested, cost more than the probes.
WITH hits AS (
{{- range $i, $c := .Keys.Cols }}
  {{ if $i }}UNION ALL {{ end }}SELECT r._file, r._row, ks.category, ks.ord, ks.via_customer
  FROM {{ tmp (print "export_rows__" $.Export.Name) }} r
  JOIN {{ tmp "key_category_state" }} ks ON ks.kind = {{ keyKind $c.Kind }} AND ks.value = r.{{ $c.Col }}
  WHERE r.reason IS NULL AND ks.category IN ({{ param $.Export.Category }}, {{ param $.ChannelCategory }})
{{- end }}
),
latest AS (
  SELECT _file, _row, category, max(ord) AS ord FROM hits GROUP BY _file, _row, category
)
SELECT l._file, l._row, l.category, rc.request_type AS state, rc.request_id AS deciding_request_id,
  {{ boolOr "h.via_customer" }} AS through_customer
FROM latest l
JOIN hits h ON h._file = l._file AND h._row = l._row AND h.category = l.category AND h.ord = l.ord
JOIN {{ tmp "request_categories" }} rc ON rc.ord = l.ord AND rc.category = l.category
GROUP BY l._file, l._row, l.category, rc.request_type, rc.request_id
