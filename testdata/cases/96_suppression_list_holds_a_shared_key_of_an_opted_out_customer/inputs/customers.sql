-- 2 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'alice@example.com'::VARCHAR, '(415) 555-0101'::VARCHAR, 'CA'::VARCHAR),
  ('C2'::VARCHAR, 'bob@example.com'::VARCHAR, '415-555-0101'::VARCHAR, 'CA'::VARCHAR)
) t(customer_id, email, phone, state)
