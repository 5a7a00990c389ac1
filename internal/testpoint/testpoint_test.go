package testpoint

import (
	"errors"
	"syscall"
	"testing"
)

// The product never obeys the test variables: only after Enable (a test,
// or a binary built with -tags optouttest) does a point fail or a leak get
// planted.
func TestOffUntilEnabled(t *testing.T) {
	t.Setenv("OPTOUT_TEST_FAIL_AT", "mark=ENOSPC")
	t.Setenv("OPTOUT_TEST_PLANT_LEAK", "ads")
	if err := FromEnv()("mark"); err != nil || PlantLeak() != "" {
		t.Fatalf("before Enable: point error %v, planted leak %q; want neither", err, PlantLeak())
	}
	Enable()
	if err := FromEnv()("mark"); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("after Enable: point error %v, want ENOSPC", err)
	}
	if err := FromEnv()("rename:0"); err != nil {
		t.Errorf("another point failed: %v", err)
	}
	if got := PlantLeak(); got != "ads" {
		t.Errorf("planted leak %q, want ads", got)
	}
}
