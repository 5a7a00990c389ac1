-- The state of each key per category, as an export row carrying only that
-- key would have it (SPEC §5 rules 2 and 4): its deciding request is the
-- latest (greatest ord) covering the category among the key's events —
-- the requests made on the key, plus the requests of every customer who
-- has the key among their keys. via_customer says whether that request
-- reached the key through a customer (an export row's drop reason names
-- how its deciding request reached it). An export row's state is the
-- latest over its keys' (export_row_state); the suppression lists start
-- from the keys opted out here. Only the categories the exports decide on.
WITH events AS (
  SELECT kind, value, request_id, false AS via_customer FROM {{ tmp "request_keys" }}
  UNION ALL
  SELECT ck.kind, ck.value, m.request_id, true
  FROM {{ tmp "customer_keys" }} ck JOIN {{ tmp "customer_matches" }} m ON m.customer_id = ck.customer_id
),
latest AS (
  SELECT e.kind, e.value, rc.category, max(rc.ord) AS ord,
    -- A request can reach a key both ways: the tie on ord goes to via_customer.
    max(rc.ord * 2 + CASE WHEN e.via_customer THEN 1 ELSE 0 END) AS ord_via,
    -- The request of greatest ord is an opt_in when its ord is the last
    -- opt_in's (an ord is one request's): two integer maxes, cheaper than
    -- an arg_max (and a string per key and category held by the aggregate
    -- was most of this step's memory).
    max(CASE WHEN rc.request_type = 'opt_in' THEN rc.ord END) AS last_opt_in
  FROM events e
  JOIN {{ tmp "request_categories" }} rc ON rc.request_id = e.request_id
  WHERE rc.category IN ({{ template "export_categories" . }})
  GROUP BY e.kind, e.value, rc.category
)
SELECT kind, value, category, ord, CASE WHEN last_opt_in = ord THEN 'opt_in' ELSE 'opt_out' END AS state, ord_via = ord * 2 + 1 AS via_customer
FROM latest
