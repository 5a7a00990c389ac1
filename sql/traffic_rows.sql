-- Every traffic row (SPEC §3.4) with its quarantine reason.
SELECT _file, _row, {{ day .Src "date" (lit .P.TimeZone) }} AS date,
  nullif(optout_word({{ col .Src "traffic_source" "text" }}), '') AS traffic_source,
  CAST({{ col .Src "visitors" "int" }} AS INT64) AS visitors,
  CASE WHEN {{ col .Src "date" "date" }} IS NULL THEN 'missing_date'
       WHEN nullif(optout_word({{ col .Src "traffic_source" "text" }}), '') IS NULL THEN 'missing_traffic_source'
       WHEN {{ col .Src "visitors" "int" }} IS NULL OR {{ col .Src "visitors" "int" }} < 0 THEN 'bad_visitors' END AS reason
FROM {{ rel .Src.View }}
