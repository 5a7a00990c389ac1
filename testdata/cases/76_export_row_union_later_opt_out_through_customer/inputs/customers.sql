-- 2 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'carol@example.com'::VARCHAR, '(415) 555-0101'::VARCHAR, NULL::VARCHAR, 'CA'::VARCHAR, 'organic'::VARCHAR),
  ('C2'::VARCHAR, 'dave@example.com'::VARCHAR, '212-555-0102'::VARCHAR, NULL::VARCHAR, 'NY'::VARCHAR, 'paid'::VARCHAR)
) t(customer_id, email, phone, cookie_id, state, traffic_source)
