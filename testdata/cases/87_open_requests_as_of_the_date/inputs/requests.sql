SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'b@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
