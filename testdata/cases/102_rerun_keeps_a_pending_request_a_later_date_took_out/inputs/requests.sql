-- UTC times.
SELECT * FROM (VALUES
  ('rp'::VARCHAR, '2026-11-16 18:00:00'::TIMESTAMP, '2026-11-16 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'pending'::VARCHAR, 'a@example.com'::VARCHAR),
  ('rp', '2026-11-16 18:00:00', '2026-11-18 18:00:00', 'opt_out', NULL, 'rejected', 'a@example.com'),
  ('rq', '2026-11-16 18:00:00', '2026-11-16 18:00:00', 'opt_out', NULL, 'pending', 'b@example.com'),
  ('rq', '2026-11-16 18:00:00', '2026-11-18 18:00:00', 'opt_out', NULL, 'verified', 'b@example.com')
) t(request_id, received_at, updated_at, request_type, categories, status, email)
