SELECT * FROM (VALUES
  (101, 'a.old@example.com', true,  TIMESTAMP '2026-11-01 00:00:00'),
  (101, 'a@example.com',     true,  TIMESTAMP '2026-11-10 00:00:00'),
  (102, NULL,                true,  TIMESTAMP '2026-11-01 00:00:00'),
  (102, 'b@example.com',     true,  TIMESTAMP '2026-11-05 00:00:00'),
  (103, 'c@example.com',     true,  TIMESTAMP '2026-11-01 00:00:00'),
  (103, 'c@example.com',     true,  TIMESTAMP '2026-11-05 00:00:00'),
  (104, 'd.old@example.com', false, TIMESTAMP '2026-11-01 00:00:00'),
  (104, 'd@example.com',     false, TIMESTAMP '2026-11-05 00:00:00'),
  (105, 'e.old@example.com', true,  TIMESTAMP '2026-11-01 00:00:00'),
  (105, 'e@example.com',     false, TIMESTAMP '2026-11-05 00:00:00')
) t(PKey, email, ccpaOptOut, snapshot_at)
