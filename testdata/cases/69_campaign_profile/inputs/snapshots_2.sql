SELECT * FROM (VALUES
  (108, 'h@example.com', true,  TIMESTAMP '2026-11-08 00:00:00', 'Hal'),
  (101, 'a@example.com', true,  TIMESTAMP '2026-11-10 00:00:00', 'Ada'),
  (101, 'a@example.com', false, TIMESTAMP '2026-11-15 00:00:00', 'Ada'),
  (105, 'e@example.com', false, TIMESTAMP '2026-11-25 00:00:00', 'Ed')
) t(PKey, email, ccpaOptOut, snapshot_at, firstName)
