package jobs

import (
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
)

func TestOverCap(t *testing.T) {
	est := []engine.Estimate{{Step: "register_customers", Bytes: 900}, {Step: "customer_keys", Bytes: 1200}, {Step: "summary", Bytes: 1000}}
	if err := overCap(est, 0); err != nil {
		t.Errorf("no cap: %v", err)
	}
	if err := overCap(est, 1200); err != nil {
		t.Errorf("at the cap: %v", err)
	}
	err := overCap(est, 999)
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "2 steps") ||
		!strings.Contains(err.Error(), "customer_keys (1200 bytes), summary (1000 bytes)") || strings.Contains(err.Error(), "register_customers") {
		t.Errorf("over the cap: %v", err)
	}
}
