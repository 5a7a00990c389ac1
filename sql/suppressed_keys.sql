{{ define "suppressed_keys" -}}
-- The full set of suppressed keys per category: every key whose own state
-- is opted out, and every key of a customer who is opted out (SPEC §5
-- rules 4-5, §7 leak check). An export row is dropped when any of its keys
-- is here: if a row's state is opted out, the deciding request's key is
-- here too, and a row carrying the key of an opted-out person would let
-- that person leave. via_customer says whether a customer's state put it here.
SELECT kind, value, category, {{ boolOr "via_customer" }} AS via_customer
FROM (
  SELECT subject.kind AS kind, subject.value AS value, category, false AS via_customer
  FROM {{ tmp "key_category_state" }} WHERE state = 'opt_out'
  UNION ALL
  SELECT ck.kind, ck.value, cs.category, true
  FROM {{ tmp "customer_keys" }} ck
  JOIN {{ tmp "customer_category_state" }} cs ON cs.subject = ck.customer_id
  WHERE cs.state = 'opt_out'
)
GROUP BY kind, value, category
{{- end }}
