-- 4 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-09-08 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['channel:email']::VARCHAR[], 'verified'::VARCHAR, 'ann@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-10-04 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['channel:email']::VARCHAR[], 'verified'::VARCHAR, 'carol@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-10-05 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['channel:email']::VARCHAR[], 'verified'::VARCHAR, 'dave@example.com'::VARCHAR),
  ('r4'::VARCHAR, '2026-09-01 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['channel:email']::VARCHAR[], 'verified'::VARCHAR, 'gus@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
