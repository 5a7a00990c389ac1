// Package sql holds the SQL templates of every transform step, one file per
// step, named after the step; transforms renders them.
package sql

import "embed"

// FS holds every template.
//
//go:embed *.sql
var FS embed.FS
