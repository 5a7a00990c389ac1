-- Opt-outs an earlier run enforced that cover less than on the previous
-- ledger, which the job logs as a warning (not an error: a customer
-- deleted on request must not stop the runs):
--   unreached: they reached customers and reach none now (a customer
--     deleted, identity_links taken out of the config, a customer's
--     identifiers changed);
--   fewer_categories: a category they covered is covered no more
--     (policy.gpc_categories narrowed, a correction row). `all` covers the
--     sale categories, and is covered by them all.
-- Those customers and categories are no longer flagged or suppressed
-- through them.
WITH compared AS (
  SELECT l.request_id,
    p.matched_customers > 0 AND l.matched_customers = 0 AS unreached,
    {{ listAny "p.categories" "c" (print "NOT (" (inList "c" "l.categories")
        " OR (" (inList "'all'" "l.categories") " AND " (inList "c" .SaleCategories) ")"
        " OR (c = 'all' AND NOT " (listAny .SaleCategories "s" (print "NOT " (inList "s" "l.categories"))) "))") }} AS fewer_categories
  FROM {{ tmp "ledger" }} l
  JOIN {{ rel "prev_requests_ledger" }} p ON p.request_id = l.request_id
  WHERE l.first_enforced_at IS NOT NULL AND l.request_type = 'opt_out'
)
SELECT {{ countIf "unreached" }} AS unreached, min(CASE WHEN unreached THEN request_id END) AS unreached_example,
  {{ countIf "fewer_categories" }} AS fewer_categories, min(CASE WHEN fewer_categories THEN request_id END) AS fewer_categories_example
FROM compared
