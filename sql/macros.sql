-- Normalization of identifiers and vocabulary (SPEC §4), as DuckDB macros.
-- transforms/normalize.go is the Go reference these are tested against;
-- both take the trimmed character set from transforms.TrimChars.
-- A regular expression, not trim(x, chars): three times as fast here
-- (see transforms.trimPattern).
CREATE OR REPLACE TEMP MACRO optout_trim(x) AS regexp_replace(CAST(x AS VARCHAR), {{ trimpattern }}, '', 'g');
CREATE OR REPLACE TEMP MACRO optout_word(x) AS lower(optout_trim(x));
CREATE OR REPLACE TEMP MACRO optout_id(x) AS nullif(optout_trim(x), '');
-- US state codes are trimmed and uppercased (CA, NY).
CREATE OR REPLACE TEMP MACRO optout_state(x) AS nullif(upper(optout_trim(x)), '');

-- email: trim, lowercase, drop "mailto:"; valid with one '@', text on both
-- sides and a dot in the domain; Gmail local parts folded.
CREATE OR REPLACE TEMP MACRO optout_email_clean(x) AS regexp_replace(lower(optout_trim(x)), '^mailto:', '');
CREATE OR REPLACE TEMP MACRO optout_email_valid(e) AS
  strlen(e) - strlen(replace(e, '@', '')) = 1
  AND NOT starts_with(e, '@') AND NOT ends_with(e, '@')
  AND contains(split_part(e, '@', 2), '.');
CREATE OR REPLACE TEMP MACRO optout_email_fold(e) AS
  CASE WHEN split_part(e, '@', 2) IN ('gmail.com', 'googlemail.com')
       THEN replace(split_part(split_part(e, '@', 1), '+', 1), '.', '') || '@gmail.com'
       ELSE e END;
-- The unfolded address when it yields a key, else NULL (e is cleaned).
CREATE OR REPLACE TEMP MACRO optout_email_ok(e) AS
  CASE WHEN optout_email_valid(e) AND NOT starts_with(optout_email_fold(e), '@') THEN e END;
-- The key of a cleaned address: folded, or NULL.
CREATE OR REPLACE TEMP MACRO optout_email_key(e) AS
  CASE WHEN optout_email_valid(e) AND NOT starts_with(optout_email_fold(e), '@') THEN optout_email_fold(e) END;
-- Macros expand textually: the one-element list binds the cleaned address
-- to e once, instead of copying its expression into every use (which made
-- binding a query with a few email columns take a tenth of a second).
CREATE OR REPLACE TEMP MACRO optout_email(x) AS
  list_transform([optout_email_clean(x)], e -> optout_email_key(e))[1];
CREATE OR REPLACE TEMP MACRO optout_email_sha(x) AS
  list_transform([optout_email_clean(x)], e -> sha256(optout_email_ok(e)))[1];
CREATE OR REPLACE TEMP MACRO optout_email_folded_sha(x) AS
  list_transform([optout_email_clean(x)], e -> CASE WHEN optout_email_key(e) <> optout_email_ok(e) THEN sha256(optout_email_key(e)) END)[1];

-- phone: ASCII digits; a leading '+' keeps them, 10 digits get a 1, 11
-- digits starting with 1 are kept; 8 to 15 digits make "+digits" (E.164).
CREATE OR REPLACE TEMP MACRO optout_phone_pick(t, d) AS
  CASE WHEN starts_with(t, '+') OR (strlen(d) = 11 AND starts_with(d, '1')) THEN d
       WHEN strlen(d) = 10 THEN '1' || d END;
CREATE OR REPLACE TEMP MACRO optout_phone_e164(p) AS CASE WHEN strlen(p) BETWEEN 8 AND 15 THEN '+' || p END;
CREATE OR REPLACE TEMP MACRO optout_phone(x) AS
  optout_phone_e164(optout_phone_pick(optout_trim(x), regexp_replace(optout_trim(x), '[^0-9]', '', 'g')));

-- email_sha256 / phone_sha256 given as input: 64 hex characters.
CREATE OR REPLACE TEMP MACRO optout_hash(x) AS
  CASE WHEN regexp_full_match(optout_word(x), '[0-9a-f]{64}') THEN optout_word(x) END;

-- A raw identifier was given (non-blank) but yielded no key.
CREATE OR REPLACE TEMP MACRO optout_invalid(raw, key) AS
  CASE WHEN optout_id(raw) IS NOT NULL AND key IS NULL THEN 1 ELSE 0 END;
