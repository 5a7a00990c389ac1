SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'alice@example.com'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, 'bob@example.com'::VARCHAR, NULL::VARCHAR)
) t(customer_id, email, phone)
