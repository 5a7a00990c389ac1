SELECT * FROM (VALUES
  ('p1'::VARCHAR, '2026-11-01 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'web_form'::VARCHAR, NULL::VARCHAR, 'a@example.com'::VARCHAR),
  ('p2', '2026-11-20 10:00:00', 'opt_in', 'cmp', 'DBABJg~BqoAAmg.YA', 'a@example.com'),
  ('p3', '2026-11-20 10:00:00', NULL, 'cmp', 'DBABRg~BqYAAJo', 'b@example.com'),
  ('p4', '2026-11-20 10:00:00', NULL, 'cmp', 'DBABVg~BqkAAAGg', 'c@example.com'),
  ('p5', '2026-11-20 10:00:00', NULL, 'cmp', 'DBABTA~1YYN', 'd@example.com'),
  ('p6', '2026-11-20 10:00:00', NULL, 'cmp', 'DBACLYA~BqqaAAAAAaA~Bq', 'e@example.com'),
  ('p7', '2026-11-20 10:00:00', NULL, 'cmp', 'DBACLYA~BqqaAAAAAaA', 'f@example.com'),
  ('p8', '2026-11-20 10:00:00', NULL, 'cmp', 'DBABRg~BqqqqqqqqqA', 'g@example.com'),
  ('p9', '2026-11-20 10:00:00', NULL, 'cmp', 'DBACLY~BVQqAAAAA~Bq', 'h@example.com'),
  ('p10', '2026-11-20 10:00:00', NULL, 'cmp', 'DBABEY~BVVVVVVVVVU', 'i@example.com')
) t(request_id, received_at, request_type, source, gpp, email)
