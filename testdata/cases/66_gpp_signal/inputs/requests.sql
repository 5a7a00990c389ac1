SELECT * FROM (VALUES
  ('g1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, 'DBABL~BVQaAAAAA'::VARCHAR, 'a@example.com'::VARCHAR),
  ('g2', '2026-11-20 10:00:00', NULL, 'DBABLA~BVQqAAAAAgA.QA', 'b@example.com'),
  ('g3', '2026-11-20 10:00:00', NULL, 'DBAB!A~BVQqAAAAAgA', 'c@example.com'),
  ('g4', '2026-11-20 10:00:00', 'opt_out', 'not a gpp string', 'd@example.com'),
  ('g5', '2026-11-20 10:00:00', 'opt_in', ' DBABBg~BVoAAAAA.Y ', 'e@example.com'),
  ('g6', '2026-11-20 11:00:00', 'opt_in', 'DBABLA~BVQqAAAAAgA.QA', 'b@example.com')
) t(request_id, received_at, request_type, gpp, email)
