-- Pieces several steps share, each written once and called with
-- `template "name" .`. Every other file in this folder is one step.

-- The parts of adapt_xdm_privacy both dialects share: the profiles read
-- from the source, and the requests made of the entries.
{{ define "xdm_profiles" -}}
profiles AS (
  SELECT _file, _row,
    {{ .Adapt.Identity }} AS who,
    {{ .Adapt.ProfileTime }} AS profile_at,
    {{ col .Src "privacyOptOuts" "xdm_opt_outs" }} AS privacy,
    {{ col .Src "optInOut" "text_map" }} AS channels,
    {{ col .Src "globalOptout" "bool" }} AS global_optout{{ range .Adapt.Carry }},
    {{ . }}{{ end }}
  FROM {{ rel .Src.View }}
)
{{- end }}

{{ define "xdm_requests" -}}
{{- /* A request's id is its profile, type and time. An `in` of the same
  profile, type and time as an `out` (or `pending`), in one list or in
  two versions of the profile, would share the opt-out's id and, as its
  later row, replace it: such an `in` gets an id of its own, so both count
  and at equal times the opt-out wins (SPEC §5 rule 2). */ -}}
SELECT
  _file, _row * 1048576 + part AS _row,
  'xdm-' || {{ shortHash (joinText (param .Src.Name) "who" "kind" (epochMicros "happened_at")) }}
    || CASE WHEN out_who IS NOT NULL THEN '-in' ELSE '' END AS request_id,
  happened_at AS received_at,
  CASE lower(trim(value)) WHEN 'out' THEN 'opt_out' WHEN 'pending' THEN 'opt_out' WHEN 'in' THEN 'opt_in' ELSE value END AS request_type,
  categories,
  CASE lower(trim(value)) WHEN 'pending' THEN 'pending' ELSE 'processed' END AS status{{ range .Adapt.Columns }},
  {{ . }}{{ end }}
FROM entries
LEFT JOIN (
  SELECT DISTINCT who AS out_who, kind AS out_kind, happened_at AS out_at FROM entries WHERE lower(trim(value)) IN ('out', 'pending')
) outs ON lower(trim(value)) = 'in' AND out_who = who AND out_kind = kind AND out_at = happened_at
WHERE categories IS NOT NULL AND value IS NOT NULL AND lower(trim(value)) <> 'not_provided'
{{- end }}

{{ define "drop_reason" -}}
{{- /* SPEC §5 rule 5, the one place it is written: why a row of export
  .Export is dropped, or NULL when it is kept, from the row's states
  (cat_state for the export's category, chan_state for its channel: NULL
  when no request of R(x) covers it) and through_customer (the deciding
  request of the category is one of a customer the row reaches). The leak
  check reads it too. */ -}}
CASE WHEN cat_state = 'opt_out' AND through_customer THEN 'customer_opted_out'
     WHEN cat_state = 'opt_out' THEN 'identifier_opted_out'
     WHEN chan_state = 'opt_out' THEN 'channel_opted_out'
{{- if .RequireOptIn }}
     WHEN cat_state IS DISTINCT FROM 'opt_in' THEN 'not_opted_in'
{{- end }}
END
{{- end }}

{{ define "export_categories" -}}
{{- /* The categories the exports decide on, as an IN list. */ -}}
{{ range $i, $c := .ExportCategories }}{{ if $i }}, {{ end }}{{ param $c }}{{ end }}
{{- end }}

{{ define "counted_requests" -}}
{{- /* The requests rule 1 counts as of D (SPEC §5), one row each: a
  derived table rather than a table of their own, which copied every
  counted request's lists of keys and categories on one thread (0.34 s
  at 1M requests) for a handful of readers. */ -}}
(SELECT * FROM {{ tmp "current_requests" }} WHERE counted)
{{- end }}

{{ define "request_order" -}}
row_number() OVER (ORDER BY {{ micros "received_at" }}, CASE request_type WHEN 'opt_in' THEN 0 ELSE 1 END, request_id)
{{- end }}

{{ define "rows_as_of" -}}
{{- /* The rows of step .Rows as a run for D reads them. For a request
source, what request_rows leaves out as it depends on the date or on now:
the reasons received_in_future (SPEC §9: received_at at or after now) and
updated_in_future (a status change dated when it cannot have happened yet,
at or after both now and the wall clock: left unread, its request would
stay uncounted and unquarantined for as long as the date is ahead), ranked
where request_rows used to rank them, after the missing id and time; and
`later`: rows after the as-of instant, not read for D, neither used nor
quarantined, and the status changes D does not see yet: of a request
received before now, dated at or after the as-of instant, or a
provisional run's now when that is earlier (.P.Seen), and before
updated_in_future begins. */ -}}
{{ if .HasLater -}}
(SELECT * REPLACE (
    CASE WHEN reason IN ('missing_request_id', 'missing_received_at') THEN reason
         WHEN received_at >= {{ cast (param .P.Now) "timestamp" }} THEN 'received_in_future'
         WHEN updated_at >= {{ cast (param .P.NotYet) "timestamp" }} THEN 'updated_in_future'
         ELSE reason END AS reason),
  coalesce(received_at >= {{ cast (param .P.AsOf) "timestamp" }}
    OR received_at < {{ cast (param .P.Now) "timestamp" }}
      AND updated_at >= {{ cast (param .P.Seen) "timestamp" }} AND updated_at < {{ cast (param .P.NotYet) "timestamp" }}, false) AS later
FROM {{ tmp .Rows }})
{{- else if .LaterByDate -}}
{{- /* Traffic: a day after D is a later date's (SPEC §2: nothing later
changes D's outputs). */ -}}
(SELECT *, coalesce(date > {{ dateParam .P.Date }}, false) AS later FROM {{ tmp .Rows }})
{{- else }}{{ tmp .Rows }}{{ end }}
{{- end }}

{{ define "quarantine_columns" -}}
{{- /* A quarantined row's own columns, but the row id optout added, and with
  a column named like one the quarantine adds (reason, source_file) written
  as input_<name>: the reason column must be optout's (SPEC §9). */ -}}
src.* {{ except }} (_file, _row{{ range .Src.QuarantineRenamed }}, {{ ident .Name }}{{ end }}){{ range .Src.QuarantineRenamed }}, src.{{ ident .Name }} AS {{ ident .As }}{{ end }}
{{- end }}

{{ define "current_row_order" -}}
{{- /* SPEC §3.1: at equal updated_at the greater file path, then the later
  row in the file. A BigQuery table has no row order (its _row is a hash
  of the row), so there rows of one request at one time are ordered to
  fail closed first: an opt-out that counts, a pending one, a rejected
  row, and last an opt-in that counts; among opt-outs the one of `all`,
  then of more categories, among opt-ins the one of fewer (0 - n: the
  emulator has no unary minus). */ -}}
updated_at DESC, _file DESC,{{ if bigquery }}
  CASE WHEN request_type = 'opt_out' AND status <> 'rejected' AND status <> 'pending' THEN 3
       WHEN request_type = 'opt_out' AND status = 'pending' THEN 2
       WHEN status = 'rejected' THEN 1 ELSE 0 END DESC,
  CASE WHEN request_type = 'opt_out' THEN IF('all' IN UNNEST(categories), 1000, ARRAY_LENGTH(categories))
       ELSE 0 - ARRAY_LENGTH(categories) END DESC,{{ end }} _row DESC
{{- end }}


{{ define "ledger_as_of" -}}
{{- /* The ledger as a run of D sees it, for D's metrics: the requests
counted or pending as of D and those enforced by D. A rerun of D after
later dates reads a ledger that also holds the requests of later dates and
their first enforcements; D's metrics count neither (a request pending as
of D and enforced later is open as of D). A request not enforced by D is
open or past its deadline as of D's as-of instant (or the run's now, when
earlier: an intraday run), not as of the run's now: the ledger's own
status follows now, and a rerun of D at another time read another. */ -}}
(SELECT * REPLACE (
    CASE WHEN first_enforced_date <= {{ dateParam .P.Date }} THEN first_enforced_at END AS first_enforced_at,
    CASE WHEN first_enforced_date <= {{ dateParam .P.Date }} THEN business_days END AS business_days,
    CASE WHEN first_enforced_date <= {{ dateParam .P.Date }} THEN sla_status
         WHEN deadline IS NULL THEN NULL
         WHEN least({{ cast (param .P.Now) "timestamp" }}, {{ cast (param .P.AsOf) "timestamp" }}) <= deadline THEN 'open'
         ELSE 'open_breached' END AS sla_status)
  FROM {{ tmp "ledger" }}
  WHERE first_enforced_date <= {{ dateParam .P.Date }}
    OR request_id IN (SELECT request_id FROM {{ tmp "current_requests" }} WHERE counted OR status = 'pending'))
{{- end }}

{{ define "fresh_opt_outs" -}}
{{- /* The opt-outs this run enforces anew, each with the instant it does
and the categories it covered before (covered: none for one first
enforced now): those first enforced by this run, and those a correction
widened since the previous ledger — an opt_in that is an opt_out now, an
opt-out that covers a category it did not — enforced for their new
categories by this run. `all` covers the sale categories, and is covered
by them all (as in opt_outs_narrowed). A request is taken as D sees it
(requests: its type and receipt as of D), never as the ledger has it: on
a rerun of D after later dates, a ledger row follows the latest date, and
a correction after D (an opt_in, another receipt) would change D's notes
(SPEC §2). */ -}}
SELECT l.request_id, l.first_enforced_at AS enforced_at, r.received_at, {{ civilDate "r.received_at" (param .P.TimeZone) }} AS received_day,
    {{ emptyList "text[]" }} AS covered
  FROM {{ tmp "ledger" }} l JOIN {{ template "counted_requests" }} r ON r.request_id = l.request_id
  WHERE l.first_enforced_date = {{ dateParam .P.Date }} AND r.request_type = 'opt_out'
{{- if .HasPrevLedger }}
UNION ALL
SELECT l.request_id, {{ cast (param .P.Now) "timestamp" }} AS enforced_at, l.received_at, {{ civilDate "l.received_at" (param .P.TimeZone) }} AS received_day,
    CASE WHEN p.request_type = 'opt_out' THEN coalesce(p.categories, {{ emptyList "text[]" }}) ELSE {{ emptyList "text[]" }} END AS covered
  FROM {{ tmp "ledger" }} l
  JOIN {{ rel "prev_requests_ledger" }} p ON p.request_id = l.request_id
  WHERE l.request_type = 'opt_out' AND l.first_enforced_date < {{ dateParam .P.Date }}
    AND (p.request_type <> 'opt_out' OR {{ listAny "l.categories" "c" (print "NOT (" (inList "c" "p.categories")
        " OR (" (inList "'all'" "p.categories") " AND " (inList "c" .SaleCategories) ")"
        " OR (c = 'all' AND NOT " (listAny .SaleCategories "s" (print "NOT " (inList "s" "p.categories"))) "))") }})
{{- end }}
{{- end }}

-- D's flags for the write-back: the published file on DuckDB, D's
-- partition of the output table on BigQuery.
{{ define "write_back_flags" -}}
{{ if .FlaggedTable -}}
(SELECT {{ .IDColumn }}, ccpa_opt_out, opt_out_date, opt_out_categories FROM {{ .FlaggedTable }} WHERE dt = {{ dateParam .Date }})
{{- else -}}
read_parquet({{ param .FlaggedFile }})
{{- end }}
{{- end }}
