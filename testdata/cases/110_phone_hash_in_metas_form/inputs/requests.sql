SELECT * FROM (VALUES
  ('r02'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, '(415) 555-0102'::VARCHAR, NULL::VARCHAR),
  ('r03', '2026-11-20 10:00:00', 'opt_out', 'verified', NULL, sha256('14155550103'))
) t(request_id, received_at, request_type, status, phone, phone_sha256)
