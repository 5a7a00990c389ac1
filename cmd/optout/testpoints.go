//go:build optouttest

package main

import "github.com/optout-dev/optout/internal/testpoint"

// A binary built with -tags optouttest obeys the OPTOUT_TEST_* variables
// (internal/testpoint): the process tests kill and fail it at named points.
func init() { testpoint.Enable() }
