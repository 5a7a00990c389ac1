SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'al@example.org'::VARCHAR, NULL::VARCHAR),
  ('C2', 'bob@example.com', NULL),
  ('C3', NULL, '212-555-0102'),
  ('C4', 'al2@example.org', NULL),
  ('C5', 'bob2@example.com', NULL)
) t(customer_id, email, phone)
