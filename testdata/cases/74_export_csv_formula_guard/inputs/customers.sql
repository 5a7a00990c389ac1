SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'a@example.com'::VARCHAR, '+44 7700 900123'::VARCHAR),
  ('C2'::VARCHAR, 'b@example.com'::VARCHAR, '(415) 555-0123'::VARCHAR)
) t(customer_id, email, phone)
