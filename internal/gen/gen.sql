-- optout gen: synthetic inputs of any size, generated inside DuckDB.
-- Deterministic: every "random" choice is a hash of the row number and the
-- seed. {{.Customers}} customers, {{.Requests}} requests over the 24 months
-- before 2026-11-22, two exports of {{.ExportRows}} rows each.
CREATE MACRO pick(i, salt, n) AS (hash(i, salt, {{.Seed}}) % n)::BIGINT;
CREATE MACRO first_name(i) AS (['Ana','Ben','Chloe','Dev','Elena','Farid','Grace','Hiro','Ines','Jamal','Kira','Luis','Maya','Noah','Olga','Priya'])[pick(i,'fn',16)+1];
CREATE MACRO domain(i) AS (['gmail.com','yahoo.com','outlook.com','icloud.com','example.org','googlemail.com','proton.me'])[pick(i,'dom',7)+1];
-- The clean email and phone of customer i; the messy forms are derived below.
CREATE MACRO email_of(i) AS lower(first_name(i)) || '.' || i || '@' || domain(i);
CREATE MACRO digits_of(i) AS printf('%03d%03d%04d', 200 + pick(i,'a',700), 200 + pick(i,'b',700), pick(i,'c',10000));
CREATE MACRO messy_email(i, salt) AS CASE pick(i, salt, 6)
  WHEN 0 THEN '  ' || upper(email_of(i)) || ' '
  WHEN 1 THEN replace(email_of(i), '@', '+news@')
  ELSE email_of(i) END;
CREATE MACRO messy_phone(i, salt) AS CASE pick(i, salt, 4)
  WHEN 0 THEN '(' || substr(digits_of(i), 1, 3) || ') ' || substr(digits_of(i), 4, 3) || '-' || substr(digits_of(i), 7)
  WHEN 1 THEN '+1 ' || digits_of(i)
  ELSE substr(digits_of(i), 1, 3) || '-' || substr(digits_of(i), 4, 3) || '-' || substr(digits_of(i), 7) END;

COPY (
  SELECT 'C' || i AS customer_id,
    CASE WHEN pick(i,'ne',20) = 0 THEN NULL ELSE messy_email(i, 'ce') END AS email,
    CASE WHEN pick(i,'np',5) = 0 THEN NULL ELSE messy_phone(i, 'cp') END AS phone,
    CASE WHEN pick(i,'ck',3) = 0 THEN 'ck-' || i END AS cookie_id,
    (['CA','CA','CA','NY','TX','WA','CO','VA','CT','OR','FL','IL'])[pick(i,'st',12)+1] AS state,
    (['organic','paid','email','referral','direct'])[pick(i,'ts',5)+1] AS traffic_source,
    round(pick(i,'ltv',200000) / 100.0, 2) AS lifetime_value
  FROM range(1, {{.Customers}} + 1) t(i)
) TO '{{.Dir}}/data/customers.parquet' (FORMAT parquet);

COPY (
  SELECT 'C' || i AS customer_id, 'dev-' || i AS device_id,
    CASE WHEN pick(i,'le',3) = 0 THEN 'work' || i || '@example.com' END AS email
  FROM range(1, {{.Customers}} + 1, 5) t(i)
) TO '{{.Dir}}/data/identity_links.parquet' (FORMAT parquet);

-- Requests: 85% reach a customer (by email, phone, customer_id or cookie),
-- 15% are prospects; 90% opt-outs; statuses mixed; a few bad rows.
CREATE TEMP TABLE req AS
SELECT j,
  TIMESTAMP '2024-11-22 00:00:00' + to_seconds(pick(j,'when',63072000)::BIGINT) AS received_at,
  1 + pick(j,'who',{{.Customers}}) AS c,
  pick(j,'how',20) AS how
FROM range(1, {{.Requests}} + 1) t(j);

COPY (
  SELECT 'WF-' || j AS request_id, received_at,
    received_at + to_hours(pick(j,'upd',48)) AS updated_at,
    CASE WHEN pick(j,'typ',10) = 0 THEN 'opt_in' ELSE 'opt_out' END AS request_type,
    CASE pick(j,'cat',5) WHEN 0 THEN ['advertising'] WHEN 1 THEN ['analytics', 'enrichment'] WHEN 2 THEN ['channel:email'] ELSE NULL END AS categories,
    (['verified','verified','processed','processed','verified','pending','rejected'])[pick(j,'sts',7)+1] AS status,
    'web_form' AS source,
    (['organic','paid','email','referral','direct'])[pick(j,'ts',5)+1] AS traffic_source,
    (['CA','CA','NY','TX','WA','CO'])[pick(j,'st',6)+1] AS state,
    CASE WHEN pick(j,'bad',2000) = 0 THEN 'not-an-email'
         WHEN how < 10 THEN messy_email(c, 're')
         WHEN how >= 16 THEN 'prospect' || j || '@example.net' END AS email,
    CASE WHEN how BETWEEN 10 AND 15 AND pick(j,'bad',2000) > 0 THEN messy_phone(c, 'rp') END AS phone
  FROM req WHERE how <> 18 AND pick(j,'src',10) < 7
) TO '{{.Dir}}/data/requests/web_form.parquet' (FORMAT parquet);

COPY (
  SELECT 'PC-' || j AS request_id, received_at,
    CASE WHEN pick(j,'typ',6) = 0 THEN 'in' ELSE 'out' END AS request_type,
    ['all'] AS categories, 'verified' AS status, 'preference_center' AS source,
    'C' || c AS customer_id
  FROM req WHERE pick(j,'src',10) BETWEEN 7 AND 8 AND how <> 18
) TO '{{.Dir}}/data/requests/preference_center.parquet' (FORMAT parquet);

COPY (
  SELECT 'GPC-' || j AS request_id, received_at, 'gpc' AS source, true AS gpc,
    CASE WHEN c % 3 = 0 THEN 'ck-' || c ELSE 'ck-anon-' || j END AS cookie_id
  FROM req WHERE (pick(j,'src',10) = 9 AND how <> 18) OR how = 18
) TO '{{.Dir}}/data/requests/gpc.parquet' (FORMAT parquet);

COPY (
  SELECT d::DATE AS date, s AS traffic_source, (1000 + hash(d, s, {{.Seed}}) % 9000)::BIGINT AS visitors
  FROM range(DATE '2024-11-22', DATE '2026-11-22', INTERVAL 1 DAY) t(d),
       unnest(['organic','paid','email','referral','direct']) u(s)
) TO '{{.Dir}}/data/traffic.parquet' (FORMAT parquet);

-- Exports: 90% customers in another messy form, 10% prospects.
COPY (
  SELECT CASE WHEN pick(k,'pr',10) = 0 THEN 'prospect' || k || '@example.net' ELSE messy_email(1 + pick(k,'x',{{.Customers}}), 'ae') END AS email,
    CASE WHEN pick(k,'ph',2) = 0 THEN messy_phone(1 + pick(k,'x',{{.Customers}}), 'ap') END AS phone_number,
    (['lookalike','retarget','prospecting'])[pick(k,'seg',3)+1] AS segment
  FROM range(1, {{.ExportRows}} + 1) t(k)
) TO '{{.Dir}}/data/exports/ad_audience.parquet' (FORMAT parquet);

COPY (
  SELECT CASE WHEN pick(k,'pr',10) = 0 THEN 'prospect' || k || '@example.net' ELSE messy_email(1 + pick(k,'y',{{.Customers}}), 'le') END AS contact_email,
    'C' || (1 + pick(k,'y',{{.Customers}})) AS crm_id,
    (['north','south','east','west'])[pick(k,'reg',4)+1] AS region
  FROM range(1, {{.ExportRows}} + 1) t(k)
) TO '{{.Dir}}/data/exports/list_rental.parquet' (FORMAT parquet);
