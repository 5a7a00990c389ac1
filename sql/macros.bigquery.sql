-- The normalization of sql/macros.sql (SPEC §4) as BigQuery temporary SQL
-- functions: the same names, arguments and rules, in GoogleSQL. BigQuery
-- keeps a temporary function for one query job only, so the engine sends
-- these before every statement. Held to the Go reference
-- (transforms/normalize.go) on the nasty-input table by
-- internal/zetasql's tests under Google's reference evaluator.
CREATE TEMP FUNCTION optout_trim(x ANY TYPE) AS (TRIM(CAST(x AS STRING), {{ trimchars }}));
-- Lowercase by Unicode's simple case mapping, as Go and DuckDB do.
-- GoogleSQL's LOWER applies the full mapping, which differs in exactly two
-- places without a locale: 'İ' becomes "i" plus a combining dot, and a
-- word-final 'Σ' becomes 'ς'. Mapping those two first to their simple
-- lowercase keeps the keys equal across engines.
CREATE TEMP FUNCTION optout_lower(x ANY TYPE) AS (LOWER(REPLACE(REPLACE(x, 'İ', 'i'), 'Σ', 'σ')));
CREATE TEMP FUNCTION optout_word(x ANY TYPE) AS (optout_lower(optout_trim(x)));
CREATE TEMP FUNCTION optout_id(x ANY TYPE) AS (NULLIF(optout_trim(x), ''));
CREATE TEMP FUNCTION optout_state(x ANY TYPE) AS (NULLIF(UPPER(optout_trim(x)), ''));

-- email: SPLIT(e, '@')[SAFE_OFFSET(n)] is DuckDB's split_part(e, '@', n+1)
-- except that a missing part is NULL, not ''; every use below gives the
-- same answer either way.
CREATE TEMP FUNCTION optout_email_clean(x ANY TYPE) AS (REGEXP_REPLACE(optout_lower(optout_trim(x)), r'^mailto:', ''));
CREATE TEMP FUNCTION optout_email_valid(e ANY TYPE) AS (
  LENGTH(e) - LENGTH(REPLACE(e, '@', '')) = 1
  AND NOT STARTS_WITH(e, '@') AND NOT ENDS_WITH(e, '@')
  AND STRPOS(SPLIT(e, '@')[SAFE_OFFSET(1)], '.') > 0);
CREATE TEMP FUNCTION optout_email_fold(e ANY TYPE) AS (
  CASE WHEN SPLIT(e, '@')[SAFE_OFFSET(1)] IN ('gmail.com', 'googlemail.com')
       THEN REPLACE(SPLIT(SPLIT(e, '@')[SAFE_OFFSET(0)], '+')[SAFE_OFFSET(0)], '.', '') || '@gmail.com'
       ELSE e END);
CREATE TEMP FUNCTION optout_email_ok(e ANY TYPE) AS (
  CASE WHEN optout_email_valid(e) AND NOT STARTS_WITH(optout_email_fold(e), '@') THEN e END);
CREATE TEMP FUNCTION optout_email_key(e ANY TYPE) AS (
  CASE WHEN optout_email_valid(e) AND NOT STARTS_WITH(optout_email_fold(e), '@') THEN optout_email_fold(e) END);
CREATE TEMP FUNCTION optout_email(x ANY TYPE) AS (optout_email_key(optout_email_clean(x)));
CREATE TEMP FUNCTION optout_email_sha(x ANY TYPE) AS (TO_HEX(SHA256(optout_email_ok(optout_email_clean(x)))));
CREATE TEMP FUNCTION optout_email_folded_sha(x ANY TYPE) AS (
  CASE WHEN optout_email_key(optout_email_clean(x)) <> optout_email_ok(optout_email_clean(x))
       THEN TO_HEX(SHA256(optout_email_key(optout_email_clean(x)))) END);

-- phone (LENGTH counts characters; d holds ASCII digits only, so it is
-- DuckDB's strlen).
CREATE TEMP FUNCTION optout_phone_pick(t ANY TYPE, d ANY TYPE) AS (
  CASE WHEN STARTS_WITH(t, '+') OR (LENGTH(d) = 11 AND STARTS_WITH(d, '1')) THEN d
       WHEN LENGTH(d) = 10 THEN '1' || d END);
CREATE TEMP FUNCTION optout_phone_e164(p ANY TYPE) AS (CASE WHEN LENGTH(p) BETWEEN 8 AND 15 THEN '+' || p END);
CREATE TEMP FUNCTION optout_phone(x ANY TYPE) AS (
  optout_phone_e164(optout_phone_pick(optout_trim(x), REGEXP_REPLACE(optout_trim(x), r'[^0-9]', ''))));

CREATE TEMP FUNCTION optout_hash(x ANY TYPE) AS (
  CASE WHEN REGEXP_CONTAINS(optout_word(x), r'^[0-9a-f]{64}$') THEN optout_word(x) END);

CREATE TEMP FUNCTION optout_invalid(raw ANY TYPE, key ANY TYPE) AS (
  CASE WHEN optout_id(raw) IS NOT NULL AND key IS NULL THEN 1 ELSE 0 END);

{{ template "bigquery_udf_optout_gpp" }}
