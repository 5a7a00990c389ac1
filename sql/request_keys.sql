-- K(r): one row per key of each counted request (SPEC §5).
SELECT DISTINCT request_id, k.kind AS kind, k.value AS value
FROM {{ unnestRows (tmp "requests") "keys" "k" "" }}
