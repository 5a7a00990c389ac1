SELECT * FROM (VALUES
  ('Bob <bob@example.com>, Al <al@example.org>'::VARCHAR, NULL::VARCHAR, 'a'::VARCHAR),
  ('bob@example.com <al@example.org>', NULL, 'b'),
  (NULL, '415-555-0101;212-555-0102', 'c'),
  (NULL, '415 555 0101 # 212 555 0102', 'd'),
  (NULL, '415-555-0101 ext. 22', 'e')
) t(email, phone, segment)
