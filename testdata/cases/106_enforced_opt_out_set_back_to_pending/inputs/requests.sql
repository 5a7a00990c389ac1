SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-19 17:00:00'::TIMESTAMP, '2026-11-19 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r1', '2026-11-19 17:00:00', '2026-11-21 18:00:00', 'opt_out', 'pending', 'a@example.com')
) t(request_id, received_at, updated_at, request_type, status, email)
