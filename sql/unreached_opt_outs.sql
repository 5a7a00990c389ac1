-- Opt-outs an earlier run enforced that reached customers on the previous
-- ledger and reach none now: those customers are no longer flagged or
-- suppressed through them. Expected when a customer is deleted; otherwise
-- identity_links left the config, or a customer's identifiers changed.
-- The job logs a warning, not an error (a deletion must not stop runs).
SELECT count(*) AS requests, min(l.request_id) AS example
FROM {{ tmp "ledger" }} l
JOIN {{ rel "prev_requests_ledger" }} p ON p.request_id = l.request_id
WHERE l.first_enforced_at IS NOT NULL AND l.request_type = 'opt_out'
  AND p.matched_customers > 0 AND l.matched_customers = 0
