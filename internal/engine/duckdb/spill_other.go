//go:build !unix

package duckdb

import "os"

// Without flock a spill folder is not locked, and none is taken for
// abandoned: a killed run's folder stays until it is removed by hand.
func lockSpill(string) *os.File { return nil }

func takeAbandoned(string) *os.File { return nil }
