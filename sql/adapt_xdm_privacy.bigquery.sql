-- adapt_xdm_privacy in GoogleSQL: the same requests, ids and _row numbers.
-- Its form differs: BigQuery has no MAP (optInOut arrives as repeated
-- key/value records), unnests in FROM with 0-based offsets, and unions by
-- position, so every branch lists the same columns.
WITH {{ template "xdm_profiles" . }},
entries AS (
  SELECT _file, _row, who, entry.optOutType AS kind, entry.optOutValue AS value,
    CAST(entry.`timestamp` AS TIMESTAMP) AS happened_at,
    CASE WHEN lower(trim(entry.optOutType)) IN ('general_opt_out', 'sales_sharing_opt_out') THEN ['all']
         ELSE [coalesce(nullif(trim(entry.optOutType), ''), CASE WHEN lower(trim(entry.optOutValue)) = 'in' THEN 'no_opt_out_type' ELSE 'all' END)] END AS categories,
    o + 1 AS part{{ range .Adapt.Columns }}, {{ . }}{{ end }}
  FROM profiles, UNNEST(privacy) AS entry WITH OFFSET o
  UNION ALL
  SELECT _file, _row, who, channel.key, channel.value, profile_at,
    CASE WHEN channel.key IN ('xdm:globalOptout', 'globalOptout') THEN
           CASE WHEN lower(trim(channel.value)) IN ('true', 'out', 'false', 'in', 'not_provided') THEN NULL ELSE {{ .Adapt.GlobalCategories }} END
         ELSE [coalesce('channel:' || nullif({{ regexGroup "lower(trim(channel.key))" "^https?://ns\\.adobe\\.com/xdm/channels/([^/]+)/?$" }}, ''), nullif(trim(channel.key), ''), CASE WHEN lower(trim(channel.value)) = 'in' THEN 'no_channel_key' ELSE 'all' END)] END,
    524288 + o + 1{{ range .Adapt.Columns }}, {{ . }}{{ end }}
  FROM profiles, UNNEST(channels) AS channel WITH OFFSET o
  UNION ALL
  SELECT _file, _row, who, 'globalOptout', 'out', profile_at, {{ .Adapt.GlobalCategories }}, 0{{ range .Adapt.Columns }}, {{ . }}{{ end }}
  FROM profiles
  WHERE global_optout IS TRUE
    OR EXISTS(SELECT 1 FROM UNNEST(channels) AS c WHERE c.key IN ('xdm:globalOptout', 'globalOptout') AND lower(trim(c.value)) IN ('true', 'out'))
)
{{ template "xdm_requests" . }}
