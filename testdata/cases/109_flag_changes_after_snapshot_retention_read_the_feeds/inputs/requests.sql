-- Times are UTC.
SELECT * FROM (VALUES
  ('r0'::VARCHAR, '2026-11-01 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'c@example.com'::VARCHAR),
  ('r1'::VARCHAR, '2026-11-05 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
