-- UTC times.
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-01 18:00:00'::TIMESTAMP, '2026-11-01 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('r1', '2026-11-01 18:00:00', '2026-11-05 18:00:00', 'opt_out', 'rejected', 'alice@example.com'),
  ('r2', '2026-11-02 18:00:00', '2026-11-02 18:00:00', 'opt_out', 'verified', 'bob@example.com')
) t(request_id, received_at, updated_at, request_type, status, email)
