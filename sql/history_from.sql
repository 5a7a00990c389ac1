-- The first export date third_party_notifications can need: the day
-- before the earliest receipt day of the opt-outs first enforced for D
-- (NULL when there are none), whose export goes out the morning after it,
-- maybe after a receipt. The job then reads only the export history from
-- that day on — the files before it hold only rows that step's own date
-- filter drops — not every export kept.
SELECT {{ dayBefore "min(received_day)" }} AS history_from FROM (
  {{ template "fresh_opt_outs" . }}
) fresh
