// Package sql holds the SQL templates of every step, one file per step,
// named after the table it makes (README.md); transforms renders them.
package sql

import "embed"

// FS holds every template.
//
//go:embed *.sql explain/*.sql report/*.sql
var FS embed.FS
