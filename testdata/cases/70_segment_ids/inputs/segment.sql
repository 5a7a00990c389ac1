SELECT * FROM (VALUES
  ('ck-1', TIMESTAMP '2026-11-10 08:00:00', 'seg-ccpa'),
  ('ck-1', TIMESTAMP '2026-11-12 09:00:00', 'seg-ccpa'),
  ('ck-9', TIMESTAMP '2026-11-11 10:00:00', 'seg-ccpa'),
  ('ck-3', TIMESTAMP '2026-11-25 10:00:00', 'seg-ccpa'),
  (NULL,   TIMESTAMP '2026-11-11 10:00:00', 'seg-ccpa'),
  ('ck-4', NULL, 'seg-ccpa')
) t(cookie_id, collected_at, segment_id)
