-- The demo's local warehouse: the customer table, the preference center log
-- and the identity links as tables of a DuckDB file (the other inputs stay
-- Parquet files: one run mixes both). Paths are relative to the demo folder.
CREATE SCHEMA IF NOT EXISTS crm;
CREATE OR REPLACE TABLE crm.customers AS SELECT * FROM read_parquet('data/customers/*.parquet');
CREATE OR REPLACE TABLE preference_center AS SELECT * FROM read_parquet('data/requests/preference_center.parquet');
CREATE OR REPLACE TABLE identity_links AS SELECT * FROM read_parquet('data/identity_links.parquet');
