-- Adobe XDM profiles of source {{ .Src.Name }} as canonical requests (SPEC
-- §3.1 xdm_privacy): one request per privacyOptOuts entry, per optInOut
-- channel and for globalOptout = true. Values are read in any case and
-- spacing. not_provided (or no value) is nothing; anything else but out /
-- in / pending reaches request_rows as an unknown request type and is
-- quarantined there. An entry without an optOutType, or a channel without
-- a key, covers `all` when it opts out (as a canonical row without
-- categories does: a malformed record must not weaken an opt-out), but an
-- `in` there gets a category that does not exist and is quarantined
-- (unknown_category): it would opt the person back in to every sale
-- category. globalOptout `true` (or `out`) is an opt-out; `false` or
-- `in` is none (never an opt-in); another value is quarantined, not
-- dropped. _row keeps each profile's
-- position and numbers its requests after it (entry i: _row·2^20 + i), so
-- (_file, _row) stays unique and in file order.
WITH {{ template "xdm_profiles" . }},
entries AS (
  SELECT * EXCLUDE (entry), entry.optOutType AS kind, entry.optOutValue AS value,
    CAST(entry."timestamp" AS TIMESTAMPTZ) AS happened_at,
    CASE WHEN lower(trim(entry.optOutType)) IN ('general_opt_out', 'sales_sharing_opt_out') THEN ['all']
         ELSE [coalesce(nullif(trim(entry.optOutType), ''), CASE WHEN lower(trim(entry.optOutValue)) = 'in' THEN 'no_opt_out_type' ELSE 'all' END)] END AS categories
  FROM (SELECT * EXCLUDE (privacy, channels), unnest(privacy) AS entry, generate_subscripts(privacy, 1) AS part FROM profiles)
  UNION ALL BY NAME
  SELECT * EXCLUDE (channel, profile_at), channel.key AS kind, channel.value AS value, profile_at AS happened_at,
    CASE WHEN channel.key IN ('xdm:globalOptout', 'globalOptout') THEN
           CASE WHEN lower(trim(channel.value)) IN ('true', 'out', 'false', 'in', 'not_provided') THEN NULL ELSE {{ .Adapt.GlobalCategories }} END
         ELSE [coalesce('channel:' || nullif({{ regexGroup "lower(trim(channel.key))" "^https?://ns\\.adobe\\.com/xdm/channels/([^/]+)/?$" }}, ''), nullif(trim(channel.key), ''), CASE WHEN lower(trim(channel.value)) = 'in' THEN 'no_channel_key' ELSE 'all' END)] END AS categories
  FROM (SELECT * EXCLUDE (privacy, channels), unnest(map_entries(channels)) AS channel, 524288 + generate_subscripts(map_entries(channels), 1) AS part FROM profiles)
  UNION ALL BY NAME
  SELECT * EXCLUDE (privacy, channels, profile_at), 'globalOptout' AS kind, 'out' AS value, profile_at AS happened_at,
    {{ .Adapt.GlobalCategories }} AS categories, 0 AS part
  FROM profiles
  WHERE global_optout IS TRUE OR lower(trim(channels['xdm:globalOptout'])) IN ('true', 'out') OR lower(trim(channels['globalOptout'])) IN ('true', 'out')
)
{{ template "xdm_requests" . }}
