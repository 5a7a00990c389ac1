-- The number of requests rule 1 counts as of D, for the run's summary
-- (requests_counted).
SELECT count(*) AS requests FROM {{ template "counted_requests" }} r
