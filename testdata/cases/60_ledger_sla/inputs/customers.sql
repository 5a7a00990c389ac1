-- email and phone are required columns of customers (NULL here)
SELECT *, NULL::VARCHAR AS phone FROM (
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'e@example.com'::VARCHAR, 'CO'::VARCHAR),
  ('C2'::VARCHAR, 'z@example.com'::VARCHAR, 'CA'::VARCHAR)
) t(customer_id, email, state)
)
