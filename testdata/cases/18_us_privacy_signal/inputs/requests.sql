-- 5 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, '1YYN'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, '1YNN'::VARCHAR, 'bob@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, 'bogus'::VARCHAR, 'jdoe@gmail.com'::VARCHAR),
  ('r4'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, '1---'::VARCHAR, 'dan@example.com'::VARCHAR),
  ('r5'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, '2YYY'::VARCHAR, 'dan@example.com'::VARCHAR)
) t(request_id, received_at, request_type, us_privacy, email)
