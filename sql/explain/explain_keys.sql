SELECT DISTINCT k.kind AS kind, k.value AS value
FROM {{ unnestRows (.Keys.From (print "(SELECT " (cast (param .Subject) "text") " AS v)")) .Keys.List "k" "" }}
