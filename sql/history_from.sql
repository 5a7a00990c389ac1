-- The first export date third_party_notifications can need: the earliest
-- receipt day of the opt-outs first enforced for D (NULL when there are
-- none). The job then reads only the export history from that day on — the
-- files before it hold only rows that step's own date filter drops — so a
-- run reads the few days its new opt-outs span, not every export kept.
SELECT min(received_day) AS history_from FROM (
  {{ template "fresh_opt_outs" . }}
) fresh
