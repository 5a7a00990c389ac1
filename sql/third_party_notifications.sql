-- 11 CCR §7026(f)(2): for each opt-out first enforced by a run for D (or
-- widened by a correction: fresh_opt_outs), every
-- published export dated from the request's receipt on (or the day
-- before, when first published after the receipt) whose rows included
-- that person — through the request's own keys or those of a customer it
-- matched, or of today's export rows with a key it gave only as a hash
-- (hash_only_reach) — and that the opt-out covers (the export's category or
-- channel) and that was first published before the request was first
-- enforced: the third parties to tell. So a rerun of D does not list D's
-- own, already filtered, export; a rerun of an earlier date that first
-- enforces a late request lists the later dates' exports that went out
-- with the person; and a backfill's new exports of earlier dates, written
-- after the enforcement and not sent, are not listed. What an earlier run
-- of D listed stays (below).
WITH fresh AS (
  {{ template "fresh_opt_outs" . }}
),
published AS (
  SELECT p.file, {{ cast "nullif(p.published_at, '')" "timestamp" }} AS published_at
  FROM {{ listRows (listParam "published_files" .ExportPublished) "p" }}
),
-- A key both the request and a matched customer carry appears twice; the
-- final DISTINCT drops the duplicate notes. (A DISTINCT here cost DuckDB
-- ~10 ms a demo date, on a handful of rows.)
person_keys AS (
  SELECT f.request_id, f.enforced_at, f.received_at, f.received_day, f.covered, rk.kind, rk.value
  FROM fresh f JOIN {{ tmp "request_keys" }} rk USING (request_id)
  UNION ALL
  SELECT f.request_id, f.enforced_at, f.received_at, f.received_day, f.covered, ck.kind, ck.value
  FROM fresh f JOIN {{ tmp "customer_matches" }} m USING (request_id)
  JOIN {{ tmp "customer_keys" }} ck USING (customer_id)
{{- if .HashOnlyReach }}
  UNION ALL
  -- A request known by a hash alone: the keys of today's export rows with it.
  SELECT f.request_id, f.enforced_at, f.received_at, f.received_day, f.covered, hr.kind, hr.value
  FROM fresh f JOIN {{ tmp "hash_only_reach" }} hr USING (request_id)
{{- end }}
),
notes AS (
{{- range $i, $h := .History }}
  {{ if $i }}UNION ALL
  {{ end -}}
  SELECT pk.request_id, CAST({{ param $h.Export.Name }} AS STRING) AS export, CAST({{ param $h.Export.Destination }} AS STRING) AS destination, h.dt
  FROM (
    -- Only dates some fresh request could need: the keys are computed for
    -- those rows alone. The columns computed beside the export's own are
    -- named _optout_…, a prefix no input column may take.
    SELECT _file, _optout_export_dt AS dt, _optout_key AS k
    FROM {{ unnestRows ($h.Keys.From (print "(SELECT *, " (cast (regexGroup "_file" "dt=([0-9]{4}-[0-9]{2}-[0-9]{2})") "date") " AS _optout_export_dt FROM " (rel $h.View) ")")) $h.Keys.List "_optout_key" (print "_optout_export_dt >= (SELECT " (dayBefore "min(received_day)") " FROM fresh)") }}
  ) h
  LEFT JOIN published pub ON pub.file = h._file
{{- if $h.Export.HashIdentifiers }}
  JOIN (
    {{- range $j, $x := $h.Hashes }}
    {{ if $j }}UNION ALL {{ end }}SELECT request_id, enforced_at, received_at, received_day, covered, {{ lit $x.Family }} AS hkind, {{ $x.Expr }} AS hvalue FROM person_keys WHERE kind = {{ lit $x.Kind }}
    {{- end }}
  ) pk ON pk.hkind = h.k.kind AND pk.hvalue = h.k.value
{{- else }}
  JOIN person_keys pk ON pk.kind = h.k.kind AND pk.value = h.k.value
{{- end }}
  JOIN {{ tmp "request_categories" }} rc ON rc.request_id = pk.request_id
    AND rc.category IN ({{ param $h.Export.Category }}, {{ param $h.ChannelCategory }})
    -- A widened request's notes are for the categories it did not cover.
    AND NOT ({{ inList "rc.category" "pk.covered" }} OR ({{ inList "'all'" "pk.covered" }} AND {{ inList "rc.category" $.SaleCategories }}))
  -- From the day of receipt on; the day before's export too when it was
  -- first published after the receipt (a nightly export goes out the
  -- morning after its date, and carried a person who asked after midnight).
  WHERE (h.dt >= pk.received_day
      OR {{ daysBetween "h.dt" "pk.received_day" }} = 1 AND pub.published_at > pk.received_at AND pub.published_at < pk.enforced_at)
    -- An export counts when it was first published before the request
    -- was first enforced: one published since went out with the request
    -- known, or is a backfill's record of an earlier date, which is not
    -- sent. At the same instant (a backfill with one --now publishes and
    -- enforces every date at that time) an earlier date's export came
    -- first; D's own is the enforcing run's, and a later date's is left
    -- out. An unknown publish time (an older version's marker) counts.
    AND (pub.published_at IS NULL OR pub.published_at < pk.enforced_at
      OR h.dt < {{ dateParam $.P.Date }} AND pub.published_at = pk.enforced_at)
{{- end }}
{{- if .HasPrevNotices }}
  {{ if .History }}UNION ALL
  {{ end -}}
  -- What an earlier run of D published stays while its request is, as of
  -- D, still a counted opt-out: that run read an export file that a rerun
  -- of its date has rewritten since, without the person, and the third
  -- party received the person all the same (a widened request is not
  -- fresh on a rerun: the previous ledger is D's own). A correction as of
  -- D that rejects the request takes its notes away; one after D does not.
  SELECT p.request_id, CAST(p.export AS STRING) AS export, CAST(p.destination AS STRING) AS destination, p.export_dt AS dt
  FROM {{ rel "prev_notifications" }} p
  WHERE p.request_id IN (SELECT request_id FROM {{ template "counted_requests" }} q WHERE request_type = 'opt_out')
{{- end }}
{{- if and (not .History) (not .HasPrevNotices) }}
  SELECT * FROM (SELECT CAST(NULL AS STRING) AS request_id, CAST(NULL AS STRING) AS export, CAST(NULL AS STRING) AS destination, CAST(NULL AS DATE) AS dt) WHERE false
{{- end }}
)
SELECT DISTINCT request_id, export, destination, dt FROM notes
ORDER BY dt, export, request_id
