-- Adobe Campaign profile snapshots of source {{ .Src.Name }} as canonical
-- requests (SPEC §3.1 campaign_profile): per PKey in snapshot order, the
-- first snapshot with ccpaOptOut true, and every later one where the value
-- changes, is a request at snapshot_at (true: opt_out, false: opt_in). A
-- null ccpaOptOut records nothing. The opt-out is the profile's: a later
-- snapshot, still true, whose identifiers changed (a new email) is an
-- opt_out too, since a request's keys are those of its own row and the
-- profile's new email would otherwise never be suppressed. A snapshot
-- without PKey or snapshot_at cannot be placed in its profile's history:
-- it is passed on without request_id or received_at and quarantined.
-- A request's id is its profile and snapshot time. Two snapshots of one
-- profile at one time that both make a request (an opt-out and an opt-in,
-- or opt-outs of two emails: a DATE snapshot_at makes that routine) would
-- share it, and the later row would replace the other request. So the
-- first, in file order, keeps the id and each other adds the hash of its
-- type and identifiers: both requests count, and at equal times the
-- opt-out wins (SPEC §5 rule 2) whichever file came later.
-- At one time, a false comes before a true whatever their files: a true
-- beside a false is then a change after it, an opt-out at that time that
-- beats the opt-in (in file order, true, true, false made the false the
-- only request of its time after an earlier true: an opt-in). A DATE
-- snapshot_at happens when that day starts in the run's time zone
-- (instant); the id is made from the value it always was (id_at, its
-- midnight UTC), so requests already in the ledger keep their ids.
WITH snapshots AS (
  SELECT _file, _row,
    CAST({{ col .Src "PKey" "text" }} AS STRING) AS pkey,
    {{ instant .Src "snapshot_at" (lit .P.TimeZone) }} AS happened_at,
    {{ cast (col .Src "snapshot_at" "timestamp") "timestamp" }} AS id_at,
    {{ col .Src "ccpaOptOut" "bool" }} AS opted_out,
    {{ .Adapt.Identity }} AS who{{ range .Adapt.Carry }},
    {{ . }}{{ end }}
  FROM {{ rel .Src.View }}
  WHERE {{ col .Src "ccpaOptOut" "bool" }} IS NOT NULL
),
changes AS (
  SELECT *, lag(opted_out) OVER (PARTITION BY pkey ORDER BY happened_at, opted_out, _file, _row) AS before,
    lag(who) OVER (PARTITION BY pkey ORDER BY happened_at, opted_out, _file, _row) AS who_before
  FROM snapshots
  WHERE pkey IS NOT NULL AND happened_at IS NOT NULL
),
requests AS (
  SELECT *, CASE WHEN opted_out THEN 'opt_out' ELSE 'opt_in' END AS request_type,
    row_number() OVER (PARTITION BY pkey, happened_at ORDER BY _file, _row) AS nth
  FROM changes
  WHERE (before IS NULL AND opted_out) OR before <> opted_out OR (opted_out AND before AND who <> who_before)
)
SELECT _file, _row,
  'campaign-' || {{ shortHash (joinText (param .Src.Name) "pkey" (epochMicros "id_at")) }}
    || CASE WHEN nth > 1 THEN '-' || {{ shortHash (joinText "request_type" "who") }} ELSE '' END AS request_id,
  happened_at AS received_at,
  request_type,
  ['all'] AS categories, 'processed' AS status{{ range .Adapt.Columns }},
  {{ . }}{{ end }}
FROM requests
UNION ALL
SELECT _file, _row,
  CASE WHEN pkey IS NOT NULL THEN 'campaign-' || {{ shortHash (joinText (param .Src.Name) "pkey") }} END AS request_id,
  happened_at AS received_at,
  CASE WHEN opted_out THEN 'opt_out' ELSE 'opt_in' END AS request_type,
  ['all'] AS categories, 'processed' AS status{{ range .Adapt.Columns }},
  {{ . }}{{ end }}
FROM snapshots
WHERE pkey IS NULL OR happened_at IS NULL
