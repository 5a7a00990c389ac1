-- 9 row(s)
SELECT * FROM (VALUES
  (NULL::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'a1@example.com'::VARCHAR),
  ('q2'::VARCHAR, NULL::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'a2@example.com'::VARCHAR),
  ('q3'::VARCHAR, '2026-11-21 22:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'a3@example.com'::VARCHAR),
  ('q4'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'maybe'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'a4@example.com'::VARCHAR),
  ('q5'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'approved'::VARCHAR, 'web_form'::VARCHAR, 'a5@example.com'::VARCHAR),
  ('q6'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['sports']::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'a6@example.com'::VARCHAR),
  ('q7'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'nope'::VARCHAR),
  ('q8'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'a8@example.com'::VARCHAR),
  ('ok'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web_form'::VARCHAR, 'alice@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, source, email)
