SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-01 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, NULL::VARCHAR, '54a97a4595350c4cc6399b01b572a4614416acfec53a508dfa2a36ed3da25817'::VARCHAR),
  ('r2', '2026-11-02 10:00:00', 'opt_out', ['analytics'], 'verified', '(415) 555-0101', NULL)
) t(request_id, received_at, request_type, categories, status, phone, phone_sha256)
