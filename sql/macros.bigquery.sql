-- The normalization of sql/macros.sql (SPEC §4) as BigQuery SQL
-- functions: the same names, arguments and rules, in GoogleSQL. Written as
-- temporary functions (ZetaSQL's tests define them so); a run's engine
-- creates them once as functions of its scratch dataset and qualifies
-- every call (internal/engine/bigquery, createFunctions). They take
-- STRING (callers cast integer identifier columns: Dialect.Col, keyExprs)
-- except optout_trim, which takes any type and calls no function of its
-- own: the BigQuery emulator cannot run an ANY TYPE function that calls
-- another (docs/decisions.md). Held to the Go reference
-- (transforms/normalize.go) on the nasty-input table by
-- internal/testkit/zetasql's tests under Google's reference evaluator.
CREATE TEMP FUNCTION optout_trim(x ANY TYPE) AS (REGEXP_REPLACE(CAST(x AS STRING), {{ trimpattern }}, ''));
-- Lowercase by Unicode's simple case mapping, as Go and DuckDB do.
-- GoogleSQL's LOWER applies the full mapping, which differs in exactly two
-- places without a locale: 'İ' becomes "i" plus a combining dot, and a
-- word-final 'Σ' becomes 'ς'. Mapping those two first to their simple
-- lowercase keeps the keys equal across engines.
CREATE TEMP FUNCTION optout_lower(x STRING) AS (LOWER(REPLACE(REPLACE(x, 'İ', 'i'), 'Σ', 'σ')));
CREATE TEMP FUNCTION optout_word(x STRING) AS (optout_lower(optout_trim(x)));
CREATE TEMP FUNCTION optout_id(x STRING) AS (NULLIF(optout_trim(x), ''));
-- device_id (transforms.DeviceKey): a UUID is lowercased; the UUID of
-- zeros (a device that shares no advertising id) is none.
CREATE TEMP FUNCTION optout_device(x STRING) AS (
  CASE WHEN REGEXP_CONTAINS(optout_trim(x), {{ uuidform }})
       THEN NULLIF(LOWER(optout_trim(x)), {{ zerouuid }}) ELSE optout_id(x) END);
-- A state (transforms.StateCode): upper-cased only when ASCII.
CREATE TEMP FUNCTION optout_state(x STRING) AS (NULLIF(
  CASE WHEN BYTE_LENGTH(optout_trim(x)) = CHAR_LENGTH(optout_trim(x)) THEN UPPER(optout_trim(x)) ELSE optout_trim(x) END, ''));

-- The address a raw email holds (transforms.CleanEmail): composed (NFC),
-- trimmed and lowercased (optout_lower's mapping), without its invisible
-- format characters anywhere, the trimmed address of "Name <address>",
-- without a leading "mailto:" and the trim after it (transforms.
-- AngleAddressRE, MailtoPrefixRE). Built-in functions only, each reading
-- the one before once: the emulator inlines a function's body in
-- parentheses and its argument at every use, and the email key reads the
-- clean address a dozen times, deep enough to overflow its SQL parser.
CREATE TEMP FUNCTION optout_email_clean(x STRING) AS (
  REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(
    LOWER(REPLACE(REPLACE(REGEXP_REPLACE(NORMALIZE(x, NFC), {{ trimpattern }}, ''), 'İ', 'i'), 'Σ', 'σ')),
    {{ invisibleclass }}, ''), {{ angleaddress }}, r'\1 '), {{ mailtoprefix }}, ''));
-- Valid (transforms.EmailValid): one '@' with text before it, and a dot
-- after it. Folded (transforms.FoldEmail) for an address that is valid,
-- so its domain is all that follows its one '@': at Gmail the local part
-- up to its first '+', without dots. Each a regular expression or two,
-- not nested SPLITs: the emulator's parser is shallow (optout_email_clean).
CREATE TEMP FUNCTION optout_email_valid(e STRING) AS (REGEXP_CONTAINS(e, r'^[^@]+@[^@]*\.[^@]*$'));
CREATE TEMP FUNCTION optout_email_fold(e STRING) AS (
  CASE WHEN REGEXP_CONTAINS(e, r'@(?:gmail|googlemail)\.com$')
       THEN REPLACE(REGEXP_EXTRACT(e, r'^[^@+]*'), '.', '') || '@gmail.com'
       ELSE e END);
CREATE TEMP FUNCTION optout_email_ok(e STRING) AS (
  CASE WHEN optout_email_valid(e) AND NOT STARTS_WITH(optout_email_fold(e), '@') THEN e END);
CREATE TEMP FUNCTION optout_email_key(e STRING) AS (
  CASE WHEN optout_email_valid(e) AND NOT STARTS_WITH(optout_email_fold(e), '@') THEN optout_email_fold(e) END);
CREATE TEMP FUNCTION optout_email(x STRING) AS (optout_email_key(optout_email_clean(x)));
CREATE TEMP FUNCTION optout_email_sha(x STRING) AS (TO_HEX(SHA256(optout_email_ok(optout_email_clean(x)))));
CREATE TEMP FUNCTION optout_email_folded_sha(x STRING) AS (
  CASE WHEN optout_email_key(optout_email_clean(x)) <> optout_email_ok(optout_email_clean(x))
       THEN TO_HEX(SHA256(optout_email_key(optout_email_clean(x)))) END);

-- phone (LENGTH counts characters; d holds ASCII digits only, so it is
-- DuckDB's strlen); none when a second number follows the extension mark
-- (transforms.PhoneSecondNumberRE) or a digit is not ASCII
-- (transforms.PhoneOtherDigitRE).
CREATE TEMP FUNCTION optout_phone_pick(t STRING, d STRING) AS (
  CASE WHEN REGEXP_CONTAINS(t, {{ phonesecond }}) OR REGEXP_CONTAINS(t, {{ phoneotherdigit }}) THEN NULL
       WHEN REGEXP_CONTAINS(t, {{ phoneintl }}) OR (LENGTH(d) = 11 AND STARTS_WITH(d, '1')) THEN d
       WHEN LENGTH(d) = 10 THEN '1' || d END);
CREATE TEMP FUNCTION optout_phone_e164(p STRING) AS (CASE WHEN LENGTH(p) BETWEEN 8 AND 15 THEN '+' || p END);
-- The digits of a trimmed phone's number (transforms.PhoneE164): up to
-- its extension (transforms.PhoneExtensionRE; the space after the group
-- reference is for the emulator, and is no digit), and in an
-- international value (transforms.PhoneInternationalRE) without a "(0)"
-- trunk prefix.
CREATE TEMP FUNCTION optout_phone_digits(t STRING) AS (
  CASE WHEN REGEXP_CONTAINS(t, {{ phoneintl }})
       THEN REGEXP_REPLACE(REGEXP_REPLACE(t, {{ phoneextension }}, r'\1 '), r'\(0\)|[^0-9]', '')
       ELSE REGEXP_REPLACE(REGEXP_REPLACE(t, {{ phoneextension }}, r'\1 '), r'[^0-9]', '') END);
CREATE TEMP FUNCTION optout_phone(x STRING) AS (
  optout_phone_e164(optout_phone_pick(optout_trim(x), optout_phone_digits(optout_trim(x)))));

CREATE TEMP FUNCTION optout_hash(x STRING) AS (
  CASE WHEN REGEXP_CONTAINS(optout_word(x), r'^[0-9a-f]{64}$') THEN optout_word(x) END);

-- NULL when no identifier was given (blank, or the UUID of zeros:
-- optout_device gives none for either), 1 when it yielded no key, else 0.
-- (A key comes only from a value that is not blank: the key is tested first.)
CREATE TEMP FUNCTION optout_invalid(raw STRING, key STRING) AS (
  CASE WHEN key IS NOT NULL THEN 0 WHEN optout_device(raw) IS NULL THEN NULL ELSE 1 END);

{{ template "bigquery_udf_optout_gpp" }}
