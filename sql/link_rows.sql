-- Every identity link row with the keys it adds to its customer (SPEC §3.3).
-- The keys stay flat value columns (Plan.LinkKeys), as customer_rows':
-- customer_keys probes each against the requests' keys.
SELECT _file, _row,
  optout_id({{ col .Src "customer_id" "text" }}) AS customer_id,
  {{ .Keys.Columns }}
  {{ .Keys.Checks }}
  CASE WHEN optout_id({{ col .Src "customer_id" "text" }}) IS NULL THEN 'missing_customer_id'
       WHEN {{ .Keys.None }} THEN 'no_valid_key' END AS reason
FROM {{ .Keys.From (rel .Src.View) }}
