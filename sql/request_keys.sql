-- K(r): one row per key of each counted request (SPEC §5).
WITH counted AS {{ template "counted_requests" }}
SELECT DISTINCT request_id, k.kind AS kind, k.value AS value
FROM {{ unnestRows "counted" "keys" "k" "" }}
