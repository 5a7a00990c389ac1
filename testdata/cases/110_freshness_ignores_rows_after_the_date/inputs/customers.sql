SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'a@example.com'::VARCHAR, NULL::VARCHAR)
) t(customer_id, email, phone)
