SELECT * FROM (VALUES
  ('J.Doe+promo@gmail.com'::VARCHAR, NULL::VARCHAR, 'jane'::VARCHAR),
  ('paul@example.com', '(555) 201-0199', 'paul'),
  ('eve@example.com', NULL, 'eve')
) t(email, phone, name)
