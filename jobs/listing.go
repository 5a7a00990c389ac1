package jobs

import (
	"os"

	"github.com/optout-dev/optout/internal/config"
)

// InputListing is one input as a run reads it: its files, sorted, and
// their total size, or the warehouse table it is.
type InputListing struct {
	Name  string
	Kind  string // requests, customers, identity_links, traffic or export
	Table string // a warehouse table (no files)
	Files []string
	Bytes int64
}

// ListInputs lists every input of cfg, the exports' too, in the order a
// run reads them, with the files a run would read (optout plan's summary).
func ListInputs(cfg *config.Config) ([]InputListing, error) {
	var out []InputListing
	add := func(in *config.Input, kind string) error {
		l := InputListing{Name: in.Name, Kind: kind, Table: in.Table}
		if in.Table == "" {
			files, err := listFiles(in.Name, in.Path)
			if err != nil {
				return err
			}
			l.Files = files
			for _, f := range files {
				if st, err := os.Stat(f); err == nil {
					l.Bytes += st.Size()
				}
			}
		}
		out = append(out, l)
		return nil
	}
	type kinded struct {
		in   *config.Input
		kind string
	}
	var all []kinded
	for i := range cfg.Inputs.Requests {
		all = append(all, kinded{&cfg.Inputs.Requests[i], "requests"})
	}
	all = append(all, kinded{cfg.Inputs.Customers, "customers"}, kinded{cfg.Inputs.IdentityLinks, "identity_links"}, kinded{cfg.Inputs.Traffic, "traffic"})
	for i := range cfg.Exports {
		all = append(all, kinded{exportInput(&cfg.Exports[i]), "export"})
	}
	for _, k := range all {
		if k.in == nil {
			continue // an optional input not configured
		}
		if err := add(k.in, k.kind); err != nil {
			return nil, err
		}
	}
	return out, nil
}
