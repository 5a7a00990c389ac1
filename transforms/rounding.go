package transforms

import "fmt"

// The metrics hold rounded numbers, so that an analyst reads 34.4 and not
// 34.400000000000006 (docs/decisions.md): a share or a rate to
// RatioDecimals places (a hundredth of a basis point, so that an opt-out
// rate of 0.04 % keeps three significant digits), a number of days to
// DaysDecimals. ROUND is the same function in both dialects: halves away
// from zero.
const (
	RatioDecimals = 6
	DaysDecimals  = 2
)

// roundRatio renders x rounded as a share or rate.
func roundRatio(x string) string { return fmt.Sprintf("round(%s, %d)", x, RatioDecimals) }

// roundDays renders x rounded as a number of days.
func roundDays(x string) string { return fmt.Sprintf("round(%s, %d)", x, DaysDecimals) }
