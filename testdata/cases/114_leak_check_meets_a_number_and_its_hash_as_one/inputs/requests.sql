SELECT * FROM (VALUES
  ('ra1'::VARCHAR, '2026-11-10 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, 'verified'::VARCHAR, '+14155550104'::VARCHAR, NULL::VARCHAR),
  ('ra2', '2026-11-15 10:00:00', 'opt_out', 'verified', NULL, '1c29ccd085f07f7fbeb8b09b5c3ebcb4822f6b376c3ba200948a6ff8cd46ec3c'),
  ('rb1', '2026-11-10 10:00:00', 'opt_out', 'verified', '+14155550105', NULL),
  ('rb2', '2026-11-15 10:00:00', 'opt_in', 'verified', NULL, '1ae48134c5d0fbad7d9317508d0e444366957b38350476d3c81698f8fdd6e151')
) t(request_id, received_at, request_type, status, phone, phone_sha256)
