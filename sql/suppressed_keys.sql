-- The keys opted out per category the exports decide on, whether or not
-- in any export: every key whose own state is opted out (as an export row
-- carrying only that key would have it, SPEC §5 rule 4) and every key of
-- an opted-out customer.
-- The suppression list of each export starts from them (suppression.sql);
-- no export row is decided here: a row's state is that of its whole R(x)
-- (export_row_state), which a later opt_in through another key can undo.
SELECT DISTINCT kind, value, category
FROM (
  SELECT kind, value, category
  FROM {{ tmp "key_category_state" }} WHERE state = 'opt_out'
  UNION ALL
  SELECT ck.kind, ck.value, cs.category
  FROM {{ tmp "customer_keys" }} ck
  JOIN {{ tmp "customer_category_state" }} cs ON cs.subject = ck.customer_id
  WHERE cs.state = 'opt_out' AND cs.category IN ({{ template "export_categories" . }})
)
