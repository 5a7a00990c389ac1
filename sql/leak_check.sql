{{ define "leak_check" -}}
-- The leak check of export {{ .Export.Name }} (SPEC §7): the file as
-- written, re-read from disk, against the full set of suppressed keys (or,
-- for hashed identifiers, their destination-hashed forms). The key's alias
-- cannot clash with the export's own columns, which are the user's.
{{- if .Export.HashIdentifiers }}
WITH written AS (
  SELECT _optout_key AS k FROM {{ unnestRows (rel .WrittenView) (print "[" .WrittenHashes "]") "_optout_key" "" }}
)
SELECT count(*) AS leaks FROM written w
JOIN {{ tmp (print "suppression__" .Export.Name) }} s ON s.identifier_type = w.k.kind AND s.hashed_value = w.k.value
{{- else }}
WITH written AS (
  SELECT _optout_key AS k FROM {{ unnestRows (.WrittenKeys.From (rel .WrittenView)) .WrittenKeys.List "_optout_key" "" }}
)
SELECT count(*) AS leaks FROM written w
JOIN {{ tmp "suppressed_keys" }} s ON s.kind = w.k.kind AND s.value = w.k.value
WHERE s.category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
{{- end }}
{{- end }}
