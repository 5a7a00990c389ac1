-- A request's rows may come from several sources (SPEC §3.1: its current
-- row is its latest, wherever it is). But rows of one request_id in two
-- sources that share no identifier are two people's requests whose ids
-- collide, two systems numbering alike: the current row would silently
-- drop one person's opt-out. They are counted here, and the run stops on
-- any (exit 3). The example names the request_id and the two sources.
WITH rows_read AS (
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT request_id, {{ lit $s.Name }} AS source, keys
  FROM {{ template "rows_as_of" ($.AsOfRows (print "request_rows__" $s.Name)) }} r WHERE reason IS NULL AND NOT later
{{- end }}
),
in_two_sources AS (
  SELECT r.* FROM rows_read r
  JOIN (SELECT request_id FROM rows_read GROUP BY request_id HAVING count(DISTINCT source) > 1) m ON m.request_id = r.request_id
),
source_keys AS (
  SELECT DISTINCT request_id, source, k.kind AS kind, k.value AS value
  FROM {{ unnestRows "in_two_sources" "keys" "k" "" }}
),
pairs AS (
  SELECT DISTINCT a.request_id, a.source AS source_a, b.source AS source_b
  FROM source_keys a JOIN source_keys b ON b.request_id = a.request_id AND b.source > a.source
),
meeting AS (
  SELECT DISTINCT a.request_id, a.source AS source_a, b.source AS source_b
  FROM source_keys a
  JOIN source_keys b ON b.request_id = a.request_id AND b.source > a.source AND b.kind = a.kind AND b.value = a.value
)
SELECT count(DISTINCT p.request_id) AS collisions,
  min(p.request_id || ' in sources ' || p.source_a || ' and ' || p.source_b) AS example
FROM pairs p
LEFT JOIN meeting m ON m.request_id = p.request_id AND m.source_a = p.source_a AND m.source_b = p.source_b
WHERE m.request_id IS NULL
