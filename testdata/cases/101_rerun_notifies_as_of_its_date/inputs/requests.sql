-- Each request's first row, landed on 17 Nov 18:00 UTC, then its correction of 18 Nov 18:00 UTC (UTC times).
SELECT * FROM (VALUES
  ('ra'::VARCHAR, '2026-11-16 18:00:00'::TIMESTAMP, '2026-11-17 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('ra', '2026-11-16 18:00:00', '2026-11-18 18:00:00', 'opt_in', NULL, 'verified', 'a@example.com'),
  ('rb', '2026-11-16 18:00:00', '2026-11-17 18:00:00', 'opt_in', NULL, 'verified', 'b@example.com'),
  ('rb', '2026-11-16 18:00:00', '2026-11-18 18:00:00', 'opt_out', NULL, 'verified', 'b@example.com'),
  ('rc', '2026-11-16 18:00:00', '2026-11-17 18:00:00', 'opt_out', NULL, 'verified', 'c@example.com'),
  ('rc', '2026-11-15 18:00:00', '2026-11-18 18:00:00', 'opt_out', NULL, 'verified', 'c@example.com')
) t(request_id, received_at, updated_at, request_type, categories, status, email)
