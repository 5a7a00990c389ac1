-- Times are UTC.
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-10 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r9'::VARCHAR, '2026-11-13 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'b@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
