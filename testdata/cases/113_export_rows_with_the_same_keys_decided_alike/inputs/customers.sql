-- 3 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'alice@example.com'::VARCHAR, '(415) 555-0101'::VARCHAR, 'ck-a'::VARCHAR, 'CA'::VARCHAR, 'organic'::VARCHAR),
  ('C2'::VARCHAR, 'bob@example.com'::VARCHAR, '212-555-0102'::VARCHAR, NULL::VARCHAR, 'NY'::VARCHAR, 'paid'::VARCHAR),
  ('C3'::VARCHAR, 'j.doe+shop@gmail.com'::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, 'TX'::VARCHAR, 'email'::VARCHAR)
) t(customer_id, email, phone, cookie_id, state, traffic_source)
