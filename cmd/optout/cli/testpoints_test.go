package cli

import "github.com/optout-dev/optout/internal/testpoint"

// The in-process tests plant leaks through OPTOUT_TEST_PLANT_LEAK.
func init() { testpoint.Enable() }
