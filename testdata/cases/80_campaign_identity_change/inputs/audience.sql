SELECT email, 'seg' || row_number() OVER (ORDER BY email) AS segment FROM (
  SELECT chr(CAST(96 + i AS INTEGER)) || '@example.com' AS email FROM range(1, 9) t(i)
  UNION ALL SELECT 'a.old@example.com' UNION ALL SELECT 'e.old@example.com'
)
