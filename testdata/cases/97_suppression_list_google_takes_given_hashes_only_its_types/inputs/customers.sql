-- 2 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'carol@example.com'::VARCHAR, '(415) 555-0123'::VARCHAR, 'ck-c'::VARCHAR, 'CA'::VARCHAR, 'organic'::VARCHAR),
  ('C2'::VARCHAR, 'zed@example.com'::VARCHAR, NULL::VARCHAR, 'ck-z'::VARCHAR, 'NY'::VARCHAR, 'paid'::VARCHAR)
) t(customer_id, email, phone, cookie_id, state, traffic_source)
