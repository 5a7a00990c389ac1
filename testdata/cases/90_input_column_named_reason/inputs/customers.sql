SELECT * FROM (VALUES
  ('C1', 'a@example.com', NULL::VARCHAR, 'crm.csv'),
  (NULL, 'b@example.com', NULL::VARCHAR, 'legacy.csv')
) t(customer_id, email, phone, source_file)
