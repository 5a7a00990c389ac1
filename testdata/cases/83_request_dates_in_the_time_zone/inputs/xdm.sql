SELECT * FROM (VALUES
  ('e@example.com', true, DATE '2026-11-10'),
  ('c@example.com', true, DATE '2026-11-22')
) t(email, globalOptout, "timestamp"), (SELECT CAST([] AS STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" TIMESTAMP)[]) AS privacyOptOuts)
