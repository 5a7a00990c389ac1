-- Each request: a pending row, then a verified row updated a day later (UTC times).
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-18 18:00:00'::TIMESTAMP, '2026-11-18 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR,
   '1c99f46532979e0ba53b93153e81b94b2b3f8e423ee887b781b94601607663a5'::VARCHAR, NULL::VARCHAR),
  ('r1', '2026-11-18 18:00:00', '2026-11-19 18:00:00', 'opt_out', 'verified',
   '1c99f46532979e0ba53b93153e81b94b2b3f8e423ee887b781b94601607663a5', NULL),
  ('r2', '2026-11-18 18:00:00', '2026-11-18 18:00:00', 'opt_out', 'pending',
   NULL, 'fc44fbf6a8b1827d4c864a60eee7d9be0437fe384fde4d6ba5f4cc51b1ba128d'),
  ('r2', '2026-11-18 18:00:00', '2026-11-19 18:00:00', 'opt_out', 'verified',
   NULL, 'fc44fbf6a8b1827d4c864a60eee7d9be0437fe384fde4d6ba5f4cc51b1ba128d')
) t(request_id, received_at, updated_at, request_type, status, email_sha256, phone_sha256)
