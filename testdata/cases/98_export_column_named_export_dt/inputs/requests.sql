-- Each request: a pending row, then a verified row updated a day later (r4: two days) (UTC times).
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-18 18:00:00'::TIMESTAMP, '2026-11-18 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'pending'::VARCHAR, 'a@example.com'::VARCHAR, NULL::VARCHAR),
  ('r1', '2026-11-18 18:00:00', '2026-11-19 18:00:00', 'opt_out', NULL, 'verified', 'a@example.com', NULL),
  ('r2', '2026-11-19 18:00:00', '2026-11-19 18:00:00', 'opt_out', NULL, 'pending', NULL, '212-555-0102'),
  ('r2', '2026-11-19 18:00:00', '2026-11-20 18:00:00', 'opt_out', NULL, 'verified', NULL, '212-555-0102'),
  ('r3', '2026-11-19 18:00:00', '2026-11-19 18:00:00', 'opt_out', ['analytics'], 'pending', 'c@example.com', NULL),
  ('r3', '2026-11-19 18:00:00', '2026-11-20 18:00:00', 'opt_out', ['analytics'], 'verified', 'c@example.com', NULL),
  ('r4', '2026-11-18 18:00:00', '2026-11-18 18:00:00', 'opt_out', NULL, 'pending', 'd@example.com', NULL),
  ('r4', '2026-11-18 18:00:00', '2026-11-20 18:00:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL)
) t(request_id, received_at, updated_at, request_type, categories, status, email, phone)
