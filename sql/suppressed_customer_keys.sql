-- The keys an opted-out customer suppresses although their own state is
-- opt_in, per category the exports decide on: a suppression list holds
-- every key of an opted-out customer, and every key whose own state is
-- opted out (as an export row carrying only that key would have it, SPEC
-- §5 rule 4), which key_category_state gives (suppression_list.sql). No
-- export row is decided here: a row's state is that of its whole R(x)
-- (export_row_state), which a later opt_in through another key can undo.
--
-- key_category_state has a row for every key of every customer a request
-- reaches, in each category the exports decide on (its events include the
-- customer's requests), and one row per key and category. So only the
-- keys whose own state there is opt_in are added here: a table of every
-- opted-out key, made distinct, was most of this step and of what a run
-- held at its end (3M rows and 2.3 s at 10M customers).
SELECT DISTINCT k.kind, k.value, k.category
FROM {{ tmp "key_category_state" }} k
JOIN {{ tmp "customer_keys" }} ck ON ck.kind = k.kind AND ck.value = k.value
JOIN {{ tmp "customer_category_state" }} cs ON cs.subject = ck.customer_id AND cs.category = k.category
WHERE k.state = 'opt_in' AND cs.state = 'opt_out'
