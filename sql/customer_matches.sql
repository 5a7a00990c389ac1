-- R(c): the counted requests sharing a key with each customer (SPEC §5 rule 2).
-- One hop only: keys of the request meet keys of the customer.
SELECT DISTINCT ck.customer_id, rk.request_id
FROM {{ tmp "customer_keys" }} ck
JOIN {{ tmp "request_keys" }} rk ON rk.kind = ck.kind AND rk.value = ck.value
