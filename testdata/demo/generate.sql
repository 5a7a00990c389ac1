-- Builds the demo data set under testdata/demo/data (run: go run ./testdata/demo).
-- Deterministic: every "random" choice is a hash of the row number.
CREATE MACRO pick(i, salt, n) AS (hash(i, salt) % n)::BIGINT;
CREATE MACRO first_name(i) AS (['Ana','Ben','Chloe','Dev','Elena','Farid','Grace','Hiro','Ines','Jamal','Kira','Luis','Maya','Noah','Olga','Priya'])[pick(i,'fn',16)+1];
CREATE MACRO last_name(i) AS (['Smith','Garcia','Nguyen','Kim','Patel','Lopez','Chen','Brown','Silva','Novak','Okafor','Rossi'])[pick(i,'ln',12)+1];
CREATE MACRO domain(i) AS (['gmail.com','yahoo.com','outlook.com','icloud.com','example.org','googlemail.com','proton.me'])[pick(i,'dom',7)+1];

-- 3,000 customers with messy identifiers.
CREATE TABLE customers AS
SELECT
  printf('C%05d', i) AS customer_id,
  CASE pick(i,'ef',10)
    WHEN 0 THEN '  ' || upper(lower(first_name(i)) || '.' || lower(last_name(i)) || i) || '@' || upper(domain(i)) || ' '
    WHEN 1 THEN lower(first_name(i)) || '.' || lower(last_name(i)) || i || '+shop@' || domain(i)
    WHEN 2 THEN NULL
    ELSE lower(first_name(i)) || '.' || lower(last_name(i)) || i || '@' || domain(i) END AS email,
  CASE pick(i,'pf',6)
    WHEN 0 THEN printf('(%03d) %03d-%04d', 200 + pick(i,'a',700), 200 + pick(i,'b',700), pick(i,'c',10000))
    WHEN 1 THEN printf('+1 %03d.%03d.%04d', 200 + pick(i,'a',700), 200 + pick(i,'b',700), pick(i,'c',10000))
    WHEN 2 THEN printf('1%03d%03d%04d', 200 + pick(i,'a',700), 200 + pick(i,'b',700), pick(i,'c',10000))
    WHEN 3 THEN NULL
    ELSE printf('%03d-%03d-%04d', 200 + pick(i,'a',700), 200 + pick(i,'b',700), pick(i,'c',10000)) END AS phone,
  CASE WHEN pick(i,'ck',3) = 0 THEN printf('ck-%08x', hash(i,'cookie') % 4294967296) END AS cookie_id,
  first_name(i) AS first_name,
  last_name(i) AS last_name,
  (['CA','CA','CA','CA','NY','TX','WA','CO','VA','CT','OR','FL'])[pick(i,'st',12)+1] AS state,
  (['organic','paid','email','referral','direct'])[pick(i,'ts',5)+1] AS traffic_source,
  round(pick(i,'ltv',200000) / 100.0, 2) AS lifetime_value,
  TIMESTAMP '2023-01-01' + to_days(pick(i,'created',1000)::INTEGER) AS created_at
FROM range(1, 3001) t(i);

-- Identity links: cookies and devices seen for customers, and second emails.
CREATE TABLE identity_links AS
SELECT printf('C%05d', i) AS customer_id,
  printf('ck-link-%06d', i) AS cookie_id,
  CASE WHEN pick(i,'dv',2) = 0 THEN printf('dev-%06d', i) END AS device_id,
  CASE WHEN pick(i,'em2',4) = 0 THEN lower(first_name(i)) || i || '@work.example.com' END AS email
FROM range(1, 3001, 5) t(i);

-- Requests over 2026-01-01 .. 2026-11-22 from three sources. Subjects are
-- customers (by email, phone, cookie or link) and prospects.
CREATE TABLE req_base AS
SELECT j,
  TIMESTAMP '2026-01-01 08:00:00' + to_minutes((pick(j,'when',466560))::INTEGER) AS received_at,
  1 + pick(j,'who',3000) AS cust,
  pick(j,'how',10) AS how
FROM range(1, 461) t(j);

CREATE TABLE web_form AS
SELECT printf('WF-%05d', j) AS request_id, received_at,
  received_at + to_hours(pick(j,'upd',72)::INTEGER) AS updated_at,
  CASE WHEN pick(j,'typ',12) = 0 THEN 'opt_in' WHEN pick(j,'typ',12) = 1 THEN ' OUT ' ELSE 'opt_out' END AS request_type,
  CASE pick(j,'cat',6) WHEN 0 THEN ['advertising'] WHEN 1 THEN ['marketing_partners', 'enrichment'] WHEN 2 THEN ['Analytics '] WHEN 3 THEN ['all', 'channel:email'] ELSE NULL END AS categories,
  (['verified','verified','processed','processed','pending','rejected', NULL])[pick(j,'sts',7)+1] AS status,
  'web_form' AS source,
  c.traffic_source,
  CASE WHEN how < 6 THEN c.email WHEN how < 8 THEN 'prospect' || j || '@example.net' END AS email,
  CASE WHEN how >= 8 OR (how < 6 AND c.email IS NULL) THEN coalesce(c.phone, '415-555-' || printf('%04d', j)) END AS phone,
  c.first_name, c.last_name, c.state,
  printf('203.0.113.%d', pick(j,'ip',250)) AS ip_address,
  'Mozilla/5.0' AS user_agent,
  date_trunc('month', received_at)::DATE AS dt
FROM req_base JOIN customers c ON c.customer_id = printf('C%05d', cust)
WHERE j <= 300;

-- The same requests' later status changes (append-only log).
INSERT INTO web_form
SELECT request_id, received_at, updated_at + INTERVAL 3 DAY, request_type, categories, 'rejected', source, traffic_source,
  email, phone, first_name, last_name, state, ip_address, user_agent, dt
FROM web_form WHERE pick(hash(request_id),'rej',25) = 0 AND status IS DISTINCT FROM 'rejected';

-- Bad rows: quarantined, not lost.
INSERT INTO web_form VALUES
  (NULL, TIMESTAMP '2026-11-20 10:00:00', NULL, 'opt_out', NULL, 'verified', 'web_form', 'organic', 'nobody@example.com', NULL, NULL, NULL, 'CA', NULL, NULL, DATE '2026-11-01'),
  ('WF-BAD-1', TIMESTAMP '2026-11-20 11:00:00', NULL, 'opt_out', NULL, 'verified', 'web_form', 'organic', 'not-an-email', '12', NULL, NULL, 'CA', NULL, NULL, DATE '2026-11-01'),
  ('WF-BAD-2', TIMESTAMP '2026-11-21 09:30:00', NULL, 'opt_out', NULL, 'approved', 'web_form', 'paid', 'someone@example.com', NULL, NULL, NULL, 'NY', NULL, NULL, DATE '2026-11-01');

-- Fresh rows for the demo date and one after it (not read for 2026-11-21).
INSERT INTO web_form VALUES
  ('WF-NOV21-A', TIMESTAMP '2026-11-21 17:45:00', NULL, 'opt_out', ['advertising'], 'verified', 'web_form', 'email', (SELECT email FROM customers WHERE customer_id = 'C00042'), NULL, NULL, NULL, 'CA', NULL, NULL, DATE '2026-11-01'),
  ('WF-NOV22-A', TIMESTAMP '2026-11-22 12:00:00', NULL, 'opt_out', NULL, 'verified', 'web_form', 'email', (SELECT email FROM customers WHERE customer_id = 'C00043'), NULL, NULL, NULL, 'CA', NULL, NULL, DATE '2026-11-01');

CREATE TABLE preference_center AS
SELECT printf('PC-%05d', j) AS request_id, received_at,
  CASE WHEN pick(j,'typ',5) = 0 THEN 'in' ELSE 'out' END AS request_type,
  CASE pick(j,'cat',4) WHEN 0 THEN ['advertising', 'analytics'] WHEN 1 THEN ['channel:sms'] WHEN 2 THEN ['marketing_partners'] ELSE ['all'] END AS categories,
  'verified' AS status,
  'preference_center' AS source,
  c.customer_id AS customer_id,
  c.state
FROM req_base JOIN customers c ON c.customer_id = printf('C%05d', cust)
WHERE j > 300 AND j <= 400;

-- A few customers opt back in through the preference center 45 days after
-- opting out on the web form (the reauthorizations metric).
INSERT INTO preference_center
SELECT 'PC-REAUTH-' || customer_id, received_at + INTERVAL 45 DAY, 'in', ['advertising'], 'verified', 'preference_center', customer_id, state
FROM (
  SELECT c.customer_id, c.state, w.received_at
  FROM web_form w JOIN customers c ON c.email = w.email
  WHERE w.request_type = 'opt_out' AND w.status = 'verified' AND w.received_at < TIMESTAMP '2026-09-01'
  ORDER BY w.request_id LIMIT 6
);

-- Browser signals: GPC headers and US Privacy strings, by cookie.
CREATE TABLE gpc AS
SELECT printf('GPC-%05d', j) AS request_id, received_at,
  CAST(NULL AS VARCHAR) AS request_type,
  'gpc' AS source,
  CASE WHEN pick(j,'sig',3) = 0 THEN NULL ELSE true END AS gpc,
  CASE WHEN pick(j,'sig',3) = 0 THEN '1YYN' END AS us_privacy,
  coalesce(c.cookie_id, printf('ck-link-%06d', 1 + 5 * pick(j,'lk',600))) AS cookie_id,
  c.traffic_source,
  c.state
FROM req_base JOIN customers c ON c.customer_id = printf('C%05d', cust)
WHERE j > 400;

-- Adobe XDM profile export (format xdm_privacy): Profile Privacy opt-outs,
-- channel preferences and the global opt-out, as nested Parquet columns.
CREATE TABLE xdm_profiles AS
SELECT c.email,
  CASE pick(i,'xp',6)
    WHEN 0 THEN [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-03-01 09:00:00' + to_hours(pick(i,'xt',5000)::INTEGER)}]
    WHEN 1 THEN [{'optOutType': 'general_opt_out', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-02-01 09:00:00' + to_hours(pick(i,'xt',2000)::INTEGER)},
                 {'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'in', 'timestamp': TIMESTAMP '2026-06-01 09:00:00' + to_hours(pick(i,'xt',2000)::INTEGER)}]
    WHEN 2 THEN [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'pending', 'timestamp': TIMESTAMP '2026-11-10 09:00:00' + to_hours(pick(i,'xt',200)::INTEGER)}]
    WHEN 3 THEN [{'optOutType': 'general_opt_out', 'optOutValue': 'not_provided', 'timestamp': TIMESTAMP '2026-01-15 09:00:00'}]
    ELSE [] END AS privacyOptOuts,
  CASE WHEN pick(i,'xc',3) = 0 THEN MAP {'https://ns.adobe.com/xdm/channels/email': (['out','in','pending','not_provided'])[pick(i,'xe',4)+1],
                                         'https://ns.adobe.com/xdm/channels/sms': (['out','not_provided'])[pick(i,'xs',2)+1]} END AS optInOut,
  pick(i,'xg',15) = 0 AS globalOptout,
  {'createDate': TIMESTAMP '2024-01-01', 'modifyDate': TIMESTAMP '2026-04-01 10:00:00' + to_hours(pick(i,'xm',5000)::INTEGER)} AS _repo
FROM range(1, 3001, 37) t(i) JOIN customers c ON c.customer_id = printf('C%05d', i)
WHERE c.email IS NOT NULL;

-- Adobe Campaign profile snapshots (format campaign_profile), one file a
-- month: ccpaOptOut set, kept, and for some cleared again.
CREATE TABLE campaign_snapshots AS
SELECT 70000 + i AS PKey, c.email, s.snapshot_at,
  CASE pick(i,'cp',4)
    WHEN 0 THEN s.snapshot_at >= TIMESTAMP '2026-09-01'
    WHEN 1 THEN s.snapshot_at = TIMESTAMP '2026-09-01'
    WHEN 2 THEN s.snapshot_at >= TIMESTAMP '2026-10-01'
    ELSE false END AS ccpaOptOut,
  strftime(s.snapshot_at, '%Y-%m-%d') AS snapshot
FROM range(2, 3001, 41) t(i) JOIN customers c ON c.customer_id = printf('C%05d', i),
  (SELECT unnest([TIMESTAMP '2026-09-01', TIMESTAMP '2026-10-01', TIMESTAMP '2026-11-01']) AS snapshot_at) s
WHERE c.email IS NOT NULL;

-- Cookie IDs an Advertising Cloud "CCPA Opt-out of sale" pixel segment
-- collected (format segment_ids): customers' cookies and unknown visitors.
CREATE TABLE pixel_segment AS
SELECT coalesce(c.cookie_id, printf('ck-anon-%06d', i)) AS cookie_id,
  TIMESTAMP '2026-05-01 12:00:00' + to_hours(pick(i,'pc',4500)::INTEGER) AS collected_at
FROM range(3, 3001, 53) t(i) JOIN customers c ON c.customer_id = printf('C%05d', i);

COPY xdm_profiles TO 'data/requests/xdm_profiles.parquet' (FORMAT parquet);
COPY campaign_snapshots TO 'data/requests/campaign' (FORMAT parquet, PARTITION_BY (snapshot), OVERWRITE_OR_IGNORE);
COPY pixel_segment TO 'data/requests/pixel_segment.parquet' (FORMAT parquet);
COPY customers TO 'data/customers/customers.parquet' (FORMAT parquet);
COPY identity_links TO 'data/identity_links.parquet' (FORMAT parquet);
COPY web_form TO 'data/requests/web_form' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE);
COPY preference_center TO 'data/requests/preference_center.parquet' (FORMAT parquet);
COPY gpc TO 'data/requests/gpc.parquet' (FORMAT parquet);
COPY (
  SELECT d::DATE AS date, s AS traffic_source, (200 + hash(d, s) % 800)::BIGINT AS visitors
  FROM range(DATE '2026-01-01', DATE '2026-11-22', INTERVAL 1 DAY) t(d),
       unnest(['organic','paid','email','referral','direct']) u(s)
) TO 'data/traffic.parquet' (FORMAT parquet);

-- Outbound exports: audiences mixing customers and prospects, a list rental.
COPY (
  SELECT email, phone AS phone_number, (['lookalike','retarget'])[pick(i,'seg',2)+1] AS segment
  FROM customers c JOIN range(1, 3001) t(i) ON c.customer_id = printf('C%05d', i)
  WHERE pick(i,'ga',3) > 0 AND (email IS NOT NULL OR phone IS NOT NULL)
  UNION ALL
  SELECT 'n/a', 'unknown', 'retarget' FROM range(2)
  UNION ALL
  SELECT 'prospect' || j || '@example.net', NULL, 'prospecting' FROM range(1, 301) p(j)
) TO 'data/exports/google_ads_audience.parquet' (FORMAT parquet);
COPY (
  SELECT upper(email) AS email, phone, first_name FROM customers WHERE email IS NOT NULL OR phone IS NOT NULL
) TO 'data/exports/meta_audience.parquet' (FORMAT parquet);
COPY (
  SELECT customer_id AS crm_id, email AS contact_email, first_name || ', ' || last_name AS display_name,
    'Loves "outdoor" gear,' || chr(10) || 'second line' AS notes
  FROM customers WHERE pick(hash(customer_id),'rent',2) = 0
) TO 'data/exports/partner_list_rental.parquet' (FORMAT parquet);
