-- The IDs an opt-out-of-sale pixel segment collected for source
-- {{ .Src.Name }} as canonical requests (SPEC §3.1 segment_ids): each row is
-- an opt_out of all received at collected_at. A DATE collected_at is
-- received when that day starts in the run's time zone (instant); the id
-- keeps the value it always had (its midnight UTC), so requests already in
-- the ledger keep theirs.
SELECT _file, _row,
  'segment-' || {{ shortHash (joinText (param .Src.Name) .Adapt.Identity (epochMicros (cast (col .Src "collected_at" "timestamp") "timestamp"))) }} AS request_id,
  {{ instant .Src "collected_at" (lit .P.TimeZone) }} AS received_at,
  'opt_out' AS request_type, ['all'] AS categories, 'processed' AS status{{ range .Adapt.Carry }},
  {{ . }}{{ end }}
FROM {{ rel .Src.View }}
