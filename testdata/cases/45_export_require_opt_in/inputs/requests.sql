-- 4 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-01-10 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-02-10 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['marketing_partners']::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-02-10 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'jdoe@gmail.com'::VARCHAR),
  ('r4'::VARCHAR, '2026-02-10 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'erin@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
