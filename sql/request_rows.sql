-- Every row of request source {{ .Src.Name }}, normalized (SPEC §4), read as a
-- request (SPEC §3.1: request_type aliases, GPC, US Privacy and GPP signals) and
-- given its quarantine reason (SPEC §9) — all of which is the same for every
-- date, so a backfill makes it once (Plan.Build's rowSteps). What depends on
-- the date and the run's start is added where the rows are read: rows_as_of.
WITH raw AS (
  SELECT
    _file, _row,
    optout_id({{ col .Src "request_id" "text" }}) AS request_id,
    {{ instant .Src "received_at" (lit .P.TimeZone) }} AS received_at,
    coalesce({{ instant .Src "updated_at" (lit .P.TimeZone) }}, {{ instant .Src "received_at" (lit .P.TimeZone) }}) AS updated_at,
    nullif(optout_word({{ col .Src "request_type" "text" }}), '') AS type_word,
    {{ categories .Src }} AS categories_raw,
    nullif(optout_word({{ col .Src "status" "text" }}), '') AS status_word,
    nullif(optout_word({{ col .Src "source" "text" }}), '') AS source,
    nullif(optout_word({{ col .Src "traffic_source" "text" }}), '') AS traffic_source,
    optout_state({{ col .Src "state" "text" }}) AS state,
    {{ col .Src "gpc" "bool" }} AS gpc,
    nullif(upper(optout_trim({{ col .Src "us_privacy" "text" }})), '') AS usp,
    -- optout_gpp: the engine's GPP decoder (transforms.DecodeGPP).
    optout_gpp(nullif(optout_trim({{ col .Src "gpp" "text" }}), '')) AS gpp_result,
    {{ .Keys.Checks }}
    {{ .Keys.List }} AS keys
  FROM {{ .Keys.From (rel .Src.View) }}
),
signals AS (
  SELECT *,
    -- coalesce: a missing column or value is no signal (never NULL, which
    -- would slip past the quarantine checks below).
    coalesce(gpc IS TRUE OR source = 'gpc' OR (usp_ok AND substr(usp, 3, 1) = 'Y') OR gpp_result = 'opt_out', false) AS signal_out,
    coalesce(gpc IS FALSE OR (usp_ok AND substr(usp, 3, 1) <> 'Y') OR gpp_result = 'no_opt_out', false) AS signal_not_out,
    {{ listFilter (listMap "categories_raw" "c" "optout_word(c)") "c" "c IS NOT NULL AND c <> ''" }} AS categories_word
  FROM (SELECT *, coalesce({{ fullMatch "usp" "1[YN-][YN-][YN-]" }}, false) AS usp_ok FROM raw)
),
typed AS (
  SELECT *,
    CASE WHEN signal_out THEN 'opt_out'
         WHEN type_word IN ('opt_out', 'out') THEN 'opt_out'
         WHEN type_word IN ('opt_in', 'in') THEN 'opt_in' END AS request_type,
    CASE WHEN status_word IS NULL THEN 'pending'
         WHEN status_word IN {{ .Statuses }} THEN status_word END AS status,
    CASE WHEN signal_out THEN {{ split (param .P.GPCCategories) "','" }}
         WHEN coalesce({{ listLen "categories_word" }}, 0) = 0 THEN ['all']
         ELSE {{ sortedSet "categories_word" }} END AS categories,
    {{ listAny "categories_word" "c" (print "NOT " (inList "c" .KnownCategories)) }} AS unknown_category,
    -- Categories given, but every one blank (' , ', [NULL], ['', ' ']):
    -- garbled, not empty. An opt-out so given covers `all` (a malformed
    -- row must not weaken an opt-out); an opt-in would opt the person back
    -- in to everything, and is quarantined as unknown_category instead.
    -- (Tested with an EXISTS, not a length: the BigQuery emulator dies on
    -- ARRAY_LENGTH of a NULL array.)
    coalesce({{ listAny "categories_raw" "c" "true" }}, false) AND coalesce({{ listLen "categories_word" }}, 0) = 0 AS blank_categories
  FROM signals
)
SELECT
  _file, _row, request_id, received_at, updated_at, request_type, categories, status,
  source, traffic_source, state, keys, {{ .Keys.CheckColumns }}
  -- Whether the row gave a status and categories at all, which
  -- input_counts counts: a column emptied upstream reads as pending and
  -- all (jobs/columns.go).
  status_word IS NOT NULL AS status_given,
  coalesce({{ listAny "categories_raw" "c" "true" }}, false) AS categories_given,
  CASE
    WHEN request_id IS NULL THEN 'missing_request_id'
    WHEN received_at IS NULL THEN 'missing_received_at'
    WHEN usp IS NOT NULL AND NOT usp_ok AND request_type IS DISTINCT FROM 'opt_out' THEN 'bad_us_privacy'
    WHEN gpp_result = 'invalid' AND request_type IS DISTINCT FROM 'opt_out' THEN 'bad_gpp'
    WHEN request_type IS NULL AND type_word IS NULL AND signal_not_out THEN 'no_opt_out_signal'
    WHEN request_type IS NULL THEN 'unknown_request_type'
    WHEN status IS NULL THEN 'unknown_status'
    WHEN (unknown_category OR blank_categories AND request_type = 'opt_in') AND NOT signal_out THEN 'unknown_category'
    WHEN {{ listLen "keys" }} = 0 THEN 'no_valid_key'
  END AS reason
FROM typed
