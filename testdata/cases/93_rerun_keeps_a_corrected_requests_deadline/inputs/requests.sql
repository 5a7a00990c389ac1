SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-10-05 18:00:00'::TIMESTAMP, '2026-10-05 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'web'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r1'::VARCHAR, '2026-10-06 18:00:00'::TIMESTAMP, '2026-10-07 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'web'::VARCHAR, 'a@example.com'::VARCHAR)
) t(request_id, received_at, updated_at, request_type, status, source, email)
