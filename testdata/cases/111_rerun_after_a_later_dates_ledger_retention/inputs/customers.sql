SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'a@example.com'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, 'b@example.com'::VARCHAR, NULL::VARCHAR),
  ('C3'::VARCHAR, 'c@example.com'::VARCHAR, NULL::VARCHAR)
) t(customer_id, email, phone)
