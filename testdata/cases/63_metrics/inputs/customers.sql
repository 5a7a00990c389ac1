-- email and phone are required columns of customers (NULL here)
SELECT *, NULL::VARCHAR AS phone FROM (
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'a@example.com'::VARCHAR, 'CA'::VARCHAR, 'paid'::VARCHAR),
  ('C2'::VARCHAR, 'b@example.com'::VARCHAR, 'NY'::VARCHAR, 'email'::VARCHAR),
  ('C3'::VARCHAR, 'c@example.com'::VARCHAR, 'CA'::VARCHAR, 'paid'::VARCHAR)
) t(customer_id, email, state, traffic_source)
)
