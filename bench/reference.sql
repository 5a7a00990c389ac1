-- The yardstick (issue 6): what a competent data engineer would hand-write
-- in DuckDB for the core of the job, with no framework. Emails trimmed and
-- lowercased, phones digits-only (10 digits get a leading 1), the latest
-- request per customer and category through the email and phone keys (and
-- customer_id / cookie for the sources that carry them), the three flags
-- on a copy of the customers, and each export of the bench config filtered
-- with anti-joins. DIR is replaced by the data set's folder.
SET TimeZone = 'UTC';

CREATE TEMP TABLE req AS
SELECT request_id, received_at, request_type, cats, email, phone, customer_id, cookie_id FROM (
  SELECT request_id, received_at, updated_at, status,
    CASE WHEN request_type = 'opt_in' THEN 'opt_in' ELSE 'opt_out' END AS request_type,
    coalesce(categories, ['all']) AS cats,
    nullif(lower(trim(email)), '') AS email,
    CASE WHEN length(regexp_replace(phone, '[^0-9]', '', 'g')) = 10 THEN '1' || regexp_replace(phone, '[^0-9]', '', 'g')
         ELSE nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') END AS phone,
    NULL AS customer_id, NULL AS cookie_id
  FROM read_parquet('DIR/data/requests/web_form.parquet')
  QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY updated_at DESC) = 1
) WHERE status <> 'rejected'
UNION ALL
SELECT request_id, received_at, CASE WHEN request_type = 'in' THEN 'opt_in' ELSE 'opt_out' END, categories, NULL, NULL, customer_id, NULL
FROM read_parquet('DIR/data/requests/preference_center.parquet')
UNION ALL
SELECT request_id, received_at, 'opt_out', ['all'], NULL, NULL, NULL, cookie_id
FROM read_parquet('DIR/data/requests/gpc.parquet');

CREATE TEMP TABLE cust AS
SELECT customer_id, nullif(lower(trim(email)), '') AS email,
  CASE WHEN length(regexp_replace(phone, '[^0-9]', '', 'g')) = 10 THEN '1' || regexp_replace(phone, '[^0-9]', '', 'g')
       ELSE nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') END AS phone,
  cookie_id
FROM read_parquet('DIR/data/customers.parquet');

-- Requests per customer, one equi-join per key.
CREATE TEMP TABLE matched AS
SELECT c.customer_id, r.request_id, r.received_at, r.request_type, r.cats FROM cust c JOIN req r ON r.email = c.email
UNION SELECT c.customer_id, r.request_id, r.received_at, r.request_type, r.cats FROM cust c JOIN req r ON r.phone = c.phone
UNION SELECT c.customer_id, r.request_id, r.received_at, r.request_type, r.cats FROM cust c JOIN req r ON r.customer_id = c.customer_id
UNION SELECT c.customer_id, r.request_id, r.received_at, r.request_type, r.cats FROM cust c JOIN req r ON r.cookie_id = c.cookie_id;

CREATE TEMP TABLE latest AS
SELECT customer_id, category, arg_max(request_type, received_at) AS state, max(received_at) AS decided_at
FROM (SELECT customer_id, received_at, request_type,
        unnest(CASE WHEN list_contains(cats, 'all') THEN ['advertising', 'analytics', 'enrichment', 'marketing_partners'] ELSE cats END) AS category
      FROM matched)
GROUP BY customer_id, category;

CREATE TEMP TABLE flags AS
SELECT customer_id,
  bool_or(state = 'opt_out' AND category IN ('advertising', 'analytics', 'enrichment', 'marketing_partners')) AS ccpa_opt_out,
  min(decided_at) FILTER (WHERE state = 'opt_out') AS opt_out_date,
  list_sort(list(category) FILTER (WHERE state = 'opt_out')) AS opt_out_categories
FROM latest GROUP BY customer_id;

COPY (
  SELECT c.*, coalesce(f.ccpa_opt_out, false) AS ccpa_opt_out, f.opt_out_date, coalesce(f.opt_out_categories, []) AS opt_out_categories
  FROM read_parquet('DIR/data/customers.parquet') c LEFT JOIN flags f USING (customer_id)
) TO 'DIR/reference_out/customers_flagged.parquet' (FORMAT parquet);

-- The keys no advertising export may carry: opted-out customers' and
-- opted-out prospects' emails and phones.
CREATE TEMP TABLE blocked AS
SELECT c.email AS k FROM cust c JOIN latest l USING (customer_id) WHERE l.category = 'advertising' AND l.state = 'opt_out' AND c.email IS NOT NULL
UNION SELECT c.phone FROM cust c JOIN latest l USING (customer_id) WHERE l.category = 'advertising' AND l.state = 'opt_out' AND c.phone IS NOT NULL
UNION SELECT email FROM req WHERE request_type = 'opt_out' AND email IS NOT NULL
UNION SELECT phone FROM req WHERE request_type = 'opt_out' AND phone IS NOT NULL;

COPY (
  SELECT a.* FROM read_parquet('DIR/data/exports/ad_audience.parquet') a
  WHERE NOT EXISTS (SELECT 1 FROM blocked b WHERE b.k = nullif(lower(trim(a.email)), ''))
    AND NOT EXISTS (SELECT 1 FROM blocked b WHERE b.k = CASE WHEN length(regexp_replace(a.phone_number, '[^0-9]', '', 'g')) = 10
                       THEN '1' || regexp_replace(a.phone_number, '[^0-9]', '', 'g') ELSE regexp_replace(a.phone_number, '[^0-9]', '', 'g') END)
) TO 'DIR/reference_out/ad_audience.parquet' (FORMAT parquet);

-- The list rental (category marketing_partners, channel email, keyed by
-- email and crm_id): the customers it may not carry are those whose latest
-- request opts them out of marketing_partners or of the email channel
-- (web-form requests may choose channel:email; `all` covers the four sale
-- categories, not channels). A row goes when its crm_id is one of them, or
-- its email is theirs or was given in an opt-out covering either.
CREATE TEMP TABLE rental_out AS
SELECT DISTINCT customer_id FROM latest
WHERE category IN ('marketing_partners', 'channel:email') AND state = 'opt_out';

CREATE TEMP TABLE rental_blocked AS
SELECT c.email AS k FROM cust c JOIN rental_out USING (customer_id) WHERE c.email IS NOT NULL
UNION SELECT email FROM req WHERE request_type = 'opt_out' AND email IS NOT NULL
  AND list_has_any(cats, ['all', 'marketing_partners', 'channel:email']);

COPY (
  SELECT l.* FROM read_parquet('DIR/data/exports/list_rental.parquet') l
  WHERE NOT EXISTS (SELECT 1 FROM rental_out o WHERE o.customer_id = trim(l.crm_id))
    AND NOT EXISTS (SELECT 1 FROM rental_blocked b WHERE b.k = nullif(lower(trim(l.contact_email)), ''))
) TO 'DIR/reference_out/list_rental.parquet' (FORMAT parquet);
