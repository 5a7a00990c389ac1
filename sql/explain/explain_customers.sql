-- C(x): the customers sharing a key with the subject.
SELECT ck.customer_id, string_agg(DISTINCT ck.kind, ', ' ORDER BY ck.kind) AS through
FROM {{ template "explain_all_customer_keys" . }} ck JOIN {{ tmp "explain_keys" }} x ON x.kind = ck.kind AND x.value = ck.value
GROUP BY ck.customer_id
