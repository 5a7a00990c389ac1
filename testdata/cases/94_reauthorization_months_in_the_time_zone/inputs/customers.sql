SELECT * FROM (VALUES
  ('CA1'::VARCHAR, 'a@example.com'::VARCHAR, NULL::VARCHAR),
  ('CB1', 'b@example.com', NULL),
  ('CC1', 'c@example.com', NULL),
  ('CD1', 'd@example.com', NULL)
) t(customer_id, email, phone)
