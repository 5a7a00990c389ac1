package jobs

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/transforms"
)

// OpenLineage run events (https://openlineage.io), appended as JSON lines
// to lineage.file so Airflow users see the job in their lineage graph.

const (
	lineageSchema   = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
	lineageProducer = "https://github.com/optout-dev/optout"
)

type lineageDataset struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

type lineageEvent struct {
	EventType string           `json:"eventType"`
	EventTime string           `json:"eventTime"`
	Run       map[string]any   `json:"run"`
	Job       map[string]any   `json:"job"`
	Inputs    []lineageDataset `json:"inputs"`
	Outputs   []lineageDataset `json:"outputs"`
	Producer  string           `json:"producer"`
	SchemaURL string           `json:"schemaURL"`
}

// lineage writes the events of one run; its zero value writes nothing.
type lineage struct {
	file  string
	runID string // a UUID, as OpenLineage requires
	dt    string
}

func newLineage(r *run) lineage {
	if r.cfg.Lineage == nil || r.cfg.Lineage.File == "" {
		return lineage{}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = (b[6]&0x0f)|0x40, (b[8]&0x3f)|0x80 // version 4, RFC 4122 variant
	id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	return lineage{file: r.cfg.Lineage.File, runID: id, dt: r.dt}
}

// emit appends one event: START, COMPLETE or FAIL.
func (l lineage) emit(r *run, eventType string) error {
	if l.file == "" {
		return nil
	}
	ev := lineageEvent{
		EventType: eventType,
		EventTime: time.Now().UTC().Format(time.RFC3339Nano),
		Run: map[string]any{"runId": l.runID, "facets": map[string]any{
			"nominalTime": map[string]any{
				"_producer": lineageProducer, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json",
				"nominalStartTime": r.o.Date.Format(time.RFC3339),
			}}},
		Job:       map[string]any{"namespace": "optout", "name": "optout_run"},
		Producer:  lineageProducer,
		SchemaURL: lineageSchema,
		Inputs:    []lineageDataset{},
		Outputs:   []lineageDataset{},
	}
	for _, in := range r.lineageInputs() {
		ds := lineageDataset{Namespace: "file", Name: in.Path}
		if in.Path == "" {
			ds = r.tableDataset(in.Table)
		}
		ev.Inputs = append(ev.Inputs, ds)
	}
	for _, t := range r.outputTables() {
		if ns, name, ok := r.eng.OutputDataset(t); ok {
			ev.Outputs = append(ev.Outputs, lineageDataset{Namespace: ns, Name: name})
		}
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("lineage file %s: %w", l.file, err)
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}

// lineageInputs are every input a run reads, the exports' included.
func (r *run) lineageInputs() []*config.Input {
	inputs := r.cfg.AllInputs()
	for i := range r.cfg.Exports {
		inputs = append(inputs, exportInput(&r.cfg.Exports[i]))
	}
	return inputs
}

// tableDataset names a warehouse input table as the engine does.
func (r *run) tableDataset(table string) lineageDataset {
	ns, name := r.eng.TableDataset(table)
	return lineageDataset{Namespace: ns, Name: name}
}

// outputTables are the tables (output folders) a run for D writes.
func (r *run) outputTables() []string {
	out := []string{"customers_flagged", "optout_state", "flag_changes", "requests_ledger", "requests_ledger_removed", "runs"}
	for _, e := range r.cfg.Exports {
		out = append(out, "exports/"+e.Name, "suppression/"+e.Name)
	}
	if len(r.cfg.Exports) > 0 {
		out = append(out, "export_report", "third_party_notifications", "export_manifest")
	}
	for _, m := range transforms.MetricTables {
		out = append(out, "metrics/"+m)
	}
	for _, in := range r.lineageInputs() {
		out = append(out, "quarantine/"+in.Name)
	}
	return out
}

// emitLineage writes an event; a lineage problem is logged, never fatal:
// it must not stop opt-outs from being enforced.
func (r *run) emitLineage(l lineage, eventType string) {
	if err := l.emit(r, eventType); err != nil {
		r.log.Error("could not write the OpenLineage event", "event", eventType, "error", err)
	}
}
