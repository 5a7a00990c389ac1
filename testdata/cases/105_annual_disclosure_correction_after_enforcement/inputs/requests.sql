SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-02 17:00:00'::TIMESTAMP, '2026-11-02 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'web'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r1'::VARCHAR, '2026-10-01 17:00:00'::TIMESTAMP, '2026-11-05 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'web'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-02 17:00:00'::TIMESTAMP, '2026-11-02 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'web'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-04 17:00:00'::TIMESTAMP, '2026-11-05 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'web'::VARCHAR, 'b@example.com'::VARCHAR)
) t(request_id, received_at, updated_at, request_type, status, source, email)
