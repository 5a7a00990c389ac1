-- 3 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, '+1 415.555.0101'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 11:00:00'::TIMESTAMP, 'out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, '2125550102'::VARCHAR),
  ('r3'::VARCHAR, '2026-11-20 12:00:00'::TIMESTAMP, 'out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, '555-0101'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, phone)
