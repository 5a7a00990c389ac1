-- A request's rows are its versions, and they may come from several
-- sources (SPEC §3.1: its current row is its latest, wherever it is; a
-- status feed kept apart from the request log is allowed). But a row that
-- shares no identifier with its request's current row, nor with a row
-- that shares one with it, is another person's request under the same
-- id: two systems numbering alike, or one system reusing its ids across
-- files or days. The current row would silently replace that person's
-- opt-out (and an opt-in or a rejection would undo it with no word from
-- them). Such request_ids are counted here, and the run stops on any
-- (exit 3). The example names the request_id and the sources, or the
-- files of the one source.
WITH rows_read AS (
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT request_id, {{ lit $s.Name }} AS source, _file, _row, updated_at, request_type, status, categories, keys
  FROM {{ template "rows_as_of" ($.AsOfRows (print "request_rows__" $s.Name)) }} r WHERE reason IS NULL AND NOT later
{{- end }}
),
-- The rows of the request_ids read more than once, the current row first.
versions AS (
  SELECT r.request_id, r.source, r._file, r.keys,
    row_number() OVER (PARTITION BY r.request_id ORDER BY {{ template "current_row_order" }}) AS version
  FROM rows_read r
  JOIN (SELECT request_id FROM rows_read GROUP BY request_id HAVING count(*) > 1) m ON m.request_id = r.request_id
),
version_keys AS (
  SELECT DISTINCT request_id, version, k.kind AS kind, k.value AS value
  FROM {{ unnestRows "versions" "keys" "k" "" }}
),
-- The rows sharing a key with the current row (the current row among
-- them), then their keys: a row that shares one of these is the same
-- request, within two steps of its current row (an early row with an
-- email, a verified row adding the customer_id, a status feed's row with
-- the customer_id alone).
near AS (
  SELECT DISTINCT e.request_id, e.version
  FROM version_keys e
  JOIN version_keys c ON c.request_id = e.request_id AND c.version = 1 AND c.kind = e.kind AND c.value = e.value
),
near_keys AS (
  SELECT DISTINCT k.request_id, k.kind, k.value
  FROM version_keys k JOIN near n ON n.request_id = k.request_id AND n.version = k.version
),
meeting AS (
  SELECT DISTINCT e.request_id, e.version
  FROM version_keys e
  JOIN near_keys c ON c.request_id = e.request_id AND c.kind = e.kind AND c.value = e.value
  WHERE e.version > 1
),
apart AS (
  SELECT e.request_id, e.source, e._file, c.source AS current_source, c._file AS current_file
  FROM versions e
  JOIN versions c ON c.request_id = e.request_id AND c.version = 1
  LEFT JOIN meeting m ON m.request_id = e.request_id AND m.version = e.version
  WHERE e.version > 1 AND m.request_id IS NULL
)
SELECT count(DISTINCT request_id) AS collisions,
  min(request_id || CASE
    WHEN source <> current_source THEN ' in sources ' || least(source, current_source) || ' and ' || greatest(source, current_source)
    WHEN _file <> current_file THEN ' in source ' || source || ', files ' || least(_file, current_file) || ' and ' || greatest(_file, current_file)
    ELSE ' in source ' || source || ', file ' || _file END) AS example
FROM apart
