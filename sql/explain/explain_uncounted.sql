-- The requests on the person's keys that a run for D does not count, and
-- why: rejected, pending held back, quarantined, or after the as-of
-- instant. Each is judged on all its rows; rows without a request_id
-- (quarantined) only on those carrying one of the person's keys.
WITH person_keys AS (
  {{ template "explain_person_keys" . }}
),
all_rows AS (
  SELECT a.*, EXISTS (SELECT 1 FROM {{ listRows "a.keys" "k" }} JOIN person_keys x ON x.kind = k.kind AND x.value = k.value) AS hit
  FROM (
    {{ template "explain_request_rows_as_of" . }}
  ) a
),
req_rows AS (
  SELECT * FROM all_rows a
  WHERE NOT EXISTS (SELECT 1 FROM {{ template "counted_requests" }} q WHERE q.request_id = a.request_id)
    AND (a.request_id IS NULL AND a.hit
      OR a.request_id IN (SELECT request_id FROM all_rows WHERE hit AND request_id IS NOT NULL))
),
why AS (
  {{ template "explain_not_counted" . }}
)
SELECT w.request_id, min(r.received_at) AS received_at, string_agg(DISTINCT r.input, ', ' ORDER BY r.input) AS inputs,
  w.not_counted_because
FROM req_rows r JOIN why w ON w.request_id = r.request_id OR w.request_id IS NULL AND r.request_id IS NULL
GROUP BY w.request_id, w.not_counted_because
