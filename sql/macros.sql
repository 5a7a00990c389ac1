-- Normalization of identifiers and vocabulary (SPEC §4), as DuckDB macros.
-- transforms/normalize.go is the Go reference these are tested against.
-- The trim is that reference itself, a Go function registered with the
-- engine (optout_trim_text, internal/engine/duckdb/udf.go): a quarter of
-- the cost of a regular expression, which cost a third of DuckDB's
-- trim(x, chars); a customer row trims about ten times.
CREATE OR REPLACE TEMP MACRO optout_trim(x) AS optout_trim_text(CAST(x AS VARCHAR));
CREATE OR REPLACE TEMP MACRO optout_word(x) AS lower(optout_trim(x));
CREATE OR REPLACE TEMP MACRO optout_id(x) AS optout_id_text(CAST(x AS VARCHAR));
-- A US state code (CA, NY): trimmed, and upper-cased when ASCII, in Go
-- (transforms.StateCode): the engines' UPPER differ beyond ASCII.
CREATE OR REPLACE TEMP MACRO optout_state(x) AS optout_state_text(CAST(x AS VARCHAR));

-- The email and phone keys (optout_email, optout_email_sha,
-- optout_email_folded_sha, optout_phone) are Go functions registered with
-- the engine (internal/engine/duckdb/udf.go): the Go reference itself, at
-- half the cost of the same rules written as macros.

-- email_sha256 / phone_sha256 given as input: 64 hex characters.
CREATE OR REPLACE TEMP MACRO optout_hash(x) AS
  CASE WHEN regexp_full_match(optout_word(x), '[0-9a-f]{64}') THEN optout_word(x) END;

-- NULL when no identifier was given (blank, or the UUID of zeros that a
-- device sharing no advertising id has: optout_device gives none for
-- either), 1 when it yielded no key, else 0.
-- A TINYINT: the row tables keep one per identifier column and row.
-- A key comes only from a value that is not blank, so the raw value is
-- trimmed again only for the rows without a key (CASE evaluates a branch
-- only for the rows that reach it): most rows skip a regular expression.
CREATE OR REPLACE TEMP MACRO optout_invalid(raw, key) AS
  CAST(CASE WHEN key IS NOT NULL THEN 0 WHEN optout_device(raw) IS NULL THEN NULL ELSE 1 END AS TINYINT);
