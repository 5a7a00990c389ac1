-- The customer files that hold a row without a customer_id (customer_rows'
-- only reason): quarantine_customers reads these files again, and no
-- other. Taken here so that customer_rows is not held until then, beside
-- the exports' rows.
SELECT DISTINCT _file FROM {{ tmp "customer_rows" }} WHERE reason IS NOT NULL
