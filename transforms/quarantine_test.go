package transforms

import (
	"fmt"
	"testing"

	"github.com/optout-dev/optout/schemas"
)

// A quarantined row's column named like one the quarantine adds is
// written as input_<name>, or input_<name>_1, … when the input has that
// name too: BigQuery refused a quarantine table with two input_reason
// columns, and every run over such a request log failed.
func TestQuarantineRenamedNamesAreFree(t *testing.T) {
	for _, c := range []struct {
		columns []string
		want    string
	}{
		{[]string{"request_id", "Reason"}, "[{Reason input_reason}]"},
		{[]string{"request_id", "reason", "Input_Reason"}, "[{reason input_reason_1}]"},
		{[]string{"reason", "input_reason", "input_reason_1", "source_file"}, "[{reason input_reason_2} {source_file input_source_file}]"},
		{[]string{"request_id", "input_reason"}, "[]"},
	} {
		var src Source
		for _, n := range c.columns {
			src.Fields = append(src.Fields, schemas.Field{Name: n, Family: schemas.String})
		}
		if got := fmt.Sprint(src.QuarantineRenamed()); got != c.want {
			t.Errorf("%v: renamed %s, want %s", c.columns, got, c.want)
		}
	}
}
