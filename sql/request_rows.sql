{{ define "request_rows" -}}
-- Every row of request source {{ .Src.Name }}, normalized (SPEC §4), read as a
-- request (SPEC §3.1: request_type aliases, GPC, US Privacy and GPP signals) and
-- given its quarantine reason (SPEC §9). `later` rows are after the as-of
-- instant: not read for this date, neither used nor quarantined.
WITH raw AS (
  SELECT
    _file, _row,
    optout_id({{ .Src.Col "request_id" "VARCHAR" }}) AS request_id,
    CAST({{ .Src.Col "received_at" "TIMESTAMPTZ" }} AS TIMESTAMPTZ) AS received_at,
    coalesce(CAST({{ .Src.Col "updated_at" "TIMESTAMPTZ" }} AS TIMESTAMPTZ), CAST({{ .Src.Col "received_at" "TIMESTAMPTZ" }} AS TIMESTAMPTZ)) AS updated_at,
    nullif(optout_word({{ .Src.Col "request_type" "VARCHAR" }}), '') AS type_word,
    {{ .Src.Categories }} AS categories_raw,
    nullif(optout_word({{ .Src.Col "status" "VARCHAR" }}), '') AS status_word,
    nullif(optout_word({{ .Src.Col "source" "VARCHAR" }}), '') AS source,
    nullif(optout_word({{ .Src.Col "traffic_source" "VARCHAR" }}), '') AS traffic_source,
    optout_state({{ .Src.Col "state" "VARCHAR" }}) AS state,
    {{ .Src.Col "gpc" "BOOLEAN" }} AS gpc,
    nullif(upper(optout_trim({{ .Src.Col "us_privacy" "VARCHAR" }})), '') AS usp,
    -- optout_gpp: the engine's GPP decoder (transforms.DecodeGPP).
    optout_gpp(nullif(optout_trim({{ .Src.Col "gpp" "VARCHAR" }}), '')) AS gpp_result,
    {{ .Keys }} AS keys,
    {{ .Invalid }} AS invalid_identifiers
  FROM {{ .Src.View }}
),
signals AS (
  SELECT *,
    -- coalesce: a missing column or value is no signal (never NULL, which
    -- would slip past the quarantine checks below).
    coalesce(gpc IS TRUE OR source = 'gpc' OR (usp_ok AND substr(usp, 3, 1) = 'Y') OR gpp_result = 'opt_out', false) AS signal_out,
    coalesce(gpc IS FALSE OR (usp_ok AND substr(usp, 3, 1) <> 'Y') OR gpp_result = 'no_opt_out', false) AS signal_not_out,
    list_filter(list_transform(categories_raw, c -> optout_word(c)), c -> c IS NOT NULL AND c <> '') AS categories_word
  FROM (SELECT *, coalesce(regexp_full_match(usp, '1[YN-][YN-][YN-]'), false) AS usp_ok FROM raw)
),
typed AS (
  SELECT *,
    CASE WHEN signal_out THEN 'opt_out'
         WHEN type_word IN ('opt_out', 'out') THEN 'opt_out'
         WHEN type_word IN ('opt_in', 'in') THEN 'opt_in' END AS request_type,
    CASE WHEN status_word IS NULL THEN 'pending'
         WHEN status_word IN {{ .Statuses }} THEN status_word END AS status,
    CASE WHEN signal_out THEN string_split({{ param .P.GPCCategories }}, ',')
         WHEN coalesce(len(categories_word), 0) = 0 THEN ['all']
         ELSE list_sort(list_distinct(categories_word)) END AS categories,
    len(list_filter(categories_word, c -> NOT list_contains({{ .KnownCategories }}, c))) > 0 AS unknown_category
  FROM signals
)
SELECT
  _file, _row, request_id, received_at, updated_at, request_type, categories, status,
  source, traffic_source, state, keys, invalid_identifiers,
  coalesce(received_at >= {{ param .P.AsOf }}::TIMESTAMPTZ OR updated_at >= {{ param .P.AsOf }}::TIMESTAMPTZ, false) AS later,
  CASE
    WHEN request_id IS NULL THEN 'missing_request_id'
    WHEN received_at IS NULL THEN 'missing_received_at'
    WHEN received_at >= {{ param .P.Now }}::TIMESTAMPTZ THEN 'received_in_future'
    WHEN usp IS NOT NULL AND NOT usp_ok AND request_type IS DISTINCT FROM 'opt_out' THEN 'bad_us_privacy'
    WHEN gpp_result = 'invalid' AND request_type IS DISTINCT FROM 'opt_out' THEN 'bad_gpp'
    WHEN request_type IS NULL AND type_word IS NULL AND signal_not_out THEN 'no_opt_out_signal'
    WHEN request_type IS NULL THEN 'unknown_request_type'
    WHEN status IS NULL THEN 'unknown_status'
    WHEN unknown_category AND NOT signal_out THEN 'unknown_category'
    WHEN len(keys) = 0 THEN 'no_valid_key'
  END AS reason
FROM typed
{{- end }}
