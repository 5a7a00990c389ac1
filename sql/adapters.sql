{{ define "adapt_xdm_privacy" -}}
-- Adobe XDM profiles of source {{ .Src.Name }} as canonical requests (SPEC
-- §3.1 xdm_privacy): one request per privacyOptOuts entry, per optInOut
-- channel and for globalOptout = true. not_provided (or no value) is
-- nothing; anything else but out / in / pending reaches request_rows as an
-- unknown request type and is quarantined there. _row keeps each profile's
-- position and numbers its requests after it (entry i: _row·2^20 + i), so
-- (_file, _row) stays unique and in file order.
WITH {{ template "xdm_profiles" . }},
entries AS (
  SELECT * EXCLUDE (entry), entry.optOutType AS kind, entry.optOutValue AS value,
    CAST(entry."timestamp" AS TIMESTAMPTZ) AS happened_at,
    CASE WHEN entry.optOutType IN ('general_opt_out', 'sales_sharing_opt_out') THEN ['all']
         ELSE [coalesce(entry.optOutType, '')] END AS categories
  FROM (SELECT * EXCLUDE (privacy, channels), unnest(privacy) AS entry, generate_subscripts(privacy, 1) AS part FROM profiles)
  UNION ALL BY NAME
  SELECT * EXCLUDE (channel, profile_at), channel.key AS kind, channel.value AS value, profile_at AS happened_at,
    CASE WHEN channel.key IN ('xdm:globalOptout', 'globalOptout') THEN NULL
         ELSE [coalesce('channel:' || nullif({{ regexGroup "channel.key" "^https?://ns\\.adobe\\.com/xdm/channels/([^/]+)$" }}, ''), channel.key)] END AS categories
  FROM (SELECT * EXCLUDE (privacy, channels), unnest(map_entries(channels)) AS channel, 524288 + generate_subscripts(map_entries(channels), 1) AS part FROM profiles)
  UNION ALL BY NAME
  SELECT * EXCLUDE (privacy, channels, profile_at), 'globalOptout' AS kind, 'out' AS value, profile_at AS happened_at,
    {{ .Adapt.GlobalCategories }} AS categories, 0 AS part
  FROM profiles
  WHERE global_optout IS TRUE OR channels['xdm:globalOptout'] = 'true' OR channels['globalOptout'] = 'true'
)
{{ template "xdm_requests" . }}
{{- end }}

{{ define "adapt_campaign_profile" -}}
-- Adobe Campaign profile snapshots of source {{ .Src.Name }} as canonical
-- requests (SPEC §3.1 campaign_profile): per PKey in snapshot order, the
-- first snapshot with ccpaOptOut true, and every later one where the value
-- changes, is a request at snapshot_at (true: opt_out, false: opt_in). A
-- null ccpaOptOut records nothing. A snapshot without PKey or snapshot_at
-- cannot be placed in its profile's history: it is passed on without
-- request_id or received_at and quarantined.
WITH snapshots AS (
  SELECT _file, _row,
    CAST({{ col .Src "PKey" "text" }} AS STRING) AS pkey,
    {{ cast (col .Src "snapshot_at" "timestamp") "timestamp" }} AS happened_at,
    {{ col .Src "ccpaOptOut" "bool" }} AS opted_out{{ range .Adapt.Carry }},
    {{ . }}{{ end }}
  FROM {{ rel .Src.View }}
  WHERE {{ col .Src "ccpaOptOut" "bool" }} IS NOT NULL
),
changes AS (
  SELECT *, lag(opted_out) OVER (PARTITION BY pkey ORDER BY happened_at, _file, _row) AS before
  FROM snapshots
  WHERE pkey IS NOT NULL AND happened_at IS NOT NULL
)
SELECT _file, _row,
  'campaign-' || {{ shortHash (joinText (param .Src.Name) "pkey" (epochMicros "happened_at")) }} AS request_id,
  happened_at AS received_at,
  CASE WHEN opted_out THEN 'opt_out' ELSE 'opt_in' END AS request_type,
  ['all'] AS categories, 'processed' AS status{{ range .Adapt.Columns }},
  {{ . }}{{ end }}
FROM changes
WHERE (before IS NULL AND opted_out) OR before <> opted_out
UNION ALL
SELECT _file, _row,
  CASE WHEN pkey IS NOT NULL THEN 'campaign-' || {{ shortHash (joinText (param .Src.Name) "pkey") }} END AS request_id,
  happened_at AS received_at,
  CASE WHEN opted_out THEN 'opt_out' ELSE 'opt_in' END AS request_type,
  ['all'] AS categories, 'processed' AS status{{ range .Adapt.Columns }},
  {{ . }}{{ end }}
FROM snapshots
WHERE pkey IS NULL OR happened_at IS NULL
{{- end }}

{{ define "adapt_segment_ids" -}}
-- The IDs an opt-out-of-sale pixel segment collected for source
-- {{ .Src.Name }} as canonical requests (SPEC §3.1 segment_ids): each row is
-- an opt_out of all received at collected_at.
SELECT _file, _row,
  'segment-' || {{ shortHash (joinText (param .Src.Name) .Adapt.Identity (epochMicros (cast (col .Src "collected_at" "timestamp") "timestamp"))) }} AS request_id,
  {{ cast (col .Src "collected_at" "timestamp") "timestamp" }} AS received_at,
  'opt_out' AS request_type, ['all'] AS categories, 'processed' AS status{{ range .Adapt.Carry }},
  {{ . }}{{ end }}
FROM {{ rel .Src.View }}
{{- end }}

{{ define "adapt_xdm_privacy.bigquery" -}}
-- adapt_xdm_privacy in GoogleSQL: the same requests, ids and _row numbers.
-- Its form differs: BigQuery has no MAP (optInOut arrives as repeated
-- key/value records), unnests in FROM with 0-based offsets, and unions by
-- position, so every branch lists the same columns.
WITH {{ template "xdm_profiles" . }},
entries AS (
  SELECT _file, _row, who, entry.optOutType AS kind, entry.optOutValue AS value,
    CAST(entry.`timestamp` AS TIMESTAMP) AS happened_at,
    CASE WHEN entry.optOutType IN ('general_opt_out', 'sales_sharing_opt_out') THEN ['all']
         ELSE [coalesce(entry.optOutType, '')] END AS categories,
    o + 1 AS part{{ range .Adapt.Columns }}, {{ . }}{{ end }}
  FROM profiles, UNNEST(privacy) AS entry WITH OFFSET o
  UNION ALL
  SELECT _file, _row, who, channel.key, channel.value, profile_at,
    CASE WHEN channel.key IN ('xdm:globalOptout', 'globalOptout') THEN NULL
         ELSE [coalesce('channel:' || nullif({{ regexGroup "channel.key" "^https?://ns\\.adobe\\.com/xdm/channels/([^/]+)$" }}, ''), channel.key)] END,
    524288 + o + 1{{ range .Adapt.Columns }}, {{ . }}{{ end }}
  FROM profiles, UNNEST(channels) AS channel WITH OFFSET o
  UNION ALL
  SELECT _file, _row, who, 'globalOptout', 'out', profile_at, {{ .Adapt.GlobalCategories }}, 0{{ range .Adapt.Columns }}, {{ . }}{{ end }}
  FROM profiles
  WHERE global_optout IS TRUE
    OR EXISTS(SELECT 1 FROM UNNEST(channels) AS c WHERE c.key IN ('xdm:globalOptout', 'globalOptout') AND c.value = 'true')
)
{{ template "xdm_requests" . }}
{{- end }}

{{/* The parts of adapt_xdm_privacy both dialects share: the profiles read
     from the source, and the requests made of the entries. */}}
{{ define "xdm_profiles" -}}
profiles AS (
  SELECT _file, _row,
    {{ .Adapt.Identity }} AS who,
    {{ .Adapt.ProfileTime }} AS profile_at,
    {{ col .Src "privacyOptOuts" "xdm_opt_outs" }} AS privacy,
    {{ col .Src "optInOut" "text_map" }} AS channels,
    {{ col .Src "globalOptout" "bool" }} AS global_optout{{ range .Adapt.Carry }},
    {{ . }}{{ end }}
  FROM {{ rel .Src.View }}
)
{{- end }}

{{ define "xdm_requests" -}}
SELECT
  _file, _row * 1048576 + part AS _row,
  'xdm-' || {{ shortHash (joinText (param .Src.Name) "who" "kind" (epochMicros "happened_at")) }} AS request_id,
  happened_at AS received_at,
  CASE value WHEN 'out' THEN 'opt_out' WHEN 'pending' THEN 'opt_out' WHEN 'in' THEN 'opt_in' ELSE value END AS request_type,
  categories,
  CASE value WHEN 'pending' THEN 'pending' ELSE 'processed' END AS status{{ range .Adapt.Columns }},
  {{ . }}{{ end }}
FROM entries
WHERE categories IS NOT NULL AND value IS NOT NULL AND value <> 'not_provided'
{{- end }}
