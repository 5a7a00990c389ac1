SELECT * FROM (VALUES
  (101, 'a@example.com', false, TIMESTAMP '2026-11-01 00:00:00', 'Ada'),
  (102, 'b@example.com', true,  TIMESTAMP '2026-11-01 00:00:00', 'Bo'),
  (103, 'c@example.com', false, TIMESTAMP '2026-11-01 00:00:00', 'Cy'),
  (104, 'd@example.com', NULL,  TIMESTAMP '2026-11-01 00:00:00', 'Di'),
  (105, 'e@example.com', true,  TIMESTAMP '2026-11-01 00:00:00', 'Ed'),
  (NULL, 'f@example.com', true, TIMESTAMP '2026-11-01 00:00:00', 'Fi'),
  (107, 'g@example.com', true,  NULL, 'Gil'),
  (108, 'h@example.com', true,  TIMESTAMP '2026-11-01 00:00:00', 'Hal'),
  (108, 'h@example.com', false, TIMESTAMP '2026-11-03 00:00:00', 'Hal'),
  (101, 'a@example.com', true,  TIMESTAMP '2026-11-05 00:00:00', 'Ada'),
  (102, 'b@example.com', true,  TIMESTAMP '2026-11-05 00:00:00', 'Bo'),
  (103, 'c@example.com', false, TIMESTAMP '2026-11-05 00:00:00', 'Cy'),
  (104, 'd@example.com', true,  TIMESTAMP '2026-11-05 00:00:00', 'Di')
) t(PKey, email, ccpaOptOut, snapshot_at, firstName)
