SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-01 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'bob@example.com'::VARCHAR, NULL::VARCHAR),
  ('r2', '2026-11-01 11:00:00', 'opt_out', 'verified', NULL, '(212) 555-0102'),
  ('r3', '2026-11-01 12:00:00', 'opt_out', 'verified', 'Bob <bob2@example.com>, Al <al2@example.org>', NULL)
) t(request_id, received_at, request_type, status, email, phone)
