package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// about is what a command's --help says besides its flags: one line on
// what it does, and an example to copy.
var about = map[string]struct{ summary, example string }{
	"run": {"enforce every opt-out known at the end of date D: flag the customers, filter the exports, write the suppression lists, the ledger and the metrics, and publish them together",
		"optout run --config optout.yaml --date 2026-11-21"},
	"validate": {"read and check every input for D as a run would, and write nothing",
		"optout validate --config optout.yaml --date 2026-11-21"},
	"report": {"write the compliance dashboard of D, one HTML file, from the published metrics",
		"optout report --config optout.yaml --date 2026-11-21 --out dashboard.html"},
	"backfill": {"run each date from --from to --to in order, as optout run would, skipping the dates that already have a successful run",
		"optout backfill --config optout.yaml --from 2026-11-01 --to 2026-11-21"},
	"plan": {"print what a run for D would do, writing nothing: its inputs, its outputs, then each step's SQL",
		"optout plan --config optout.yaml --date 2026-11-21 --now 2026-11-22T06:00:00Z"},
	"explain": {"show why one person is or is not opted out as of D (a verdict, then their keys, matched customers, requests, state per category and export rows), or with --request-id the life of one request",
		"optout explain --config optout.yaml --date 2026-11-21 --customer-id C1042"},
	"gen": {"write a synthetic data set and its optout.yaml, to try optout or measure it",
		"optout gen --out /tmp/optout-gen --customers 100000 --requests 5000 --export-rows 100000"},
}

// errHelpShown: the command's help went to stdout, as asked (exit 0).
var errHelpShown = errors.New("help shown")

// parseFlags parses a command's flags. On -h or --help it prints the
// command's help to stdout and returns errHelpShown; a flag it does not
// define is an error that suggests the closest one it does.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard) // errors are returned, help goes to stdout
	fs.Usage = func() {}
	// A flag given twice is refused: the flag package keeps the last, so
	// `--date 2026-11-21 --date 2026-11-20` ran and published 2026-11-20
	// with exit 0 (found by a probe), whichever the caller meant.
	twice := ""
	fs.VisitAll(func(f *flag.Flag) { f.Value = &onceValue{Value: f.Value, name: f.Name, twice: &twice} })
	err := fs.Parse(args)
	if twice != "" {
		return fmt.Errorf("--%s is given twice; give it once ('optout %s --help' lists its flags)", twice, fs.Name())
	}
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, fs)
		return errHelpShown
	}
	if err != nil {
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; 'optout %s --help' lists its flags", fs.Arg(0), fs.Name())
	}
	return nil
}

// flagError rewords the flag package's error for a flag that is not
// defined, adding the defined flags it was probably meant to be.
func flagError(fs *flag.FlagSet, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return fmt.Errorf("%w; 'optout %s --help' lists its flags", err, fs.Name())
	}
	var defined []string
	fs.VisitAll(func(f *flag.Flag) { defined = append(defined, f.Name) })
	msg := fmt.Sprintf("unknown flag --%s", name)
	if near := closest(name, defined); len(near) > 0 {
		msg += "; did you mean --" + strings.Join(near, " or --") + "?"
	}
	return fmt.Errorf("%s ('optout %s --help' lists its flags)", msg, fs.Name())
}

// closest returns the candidates nearest to s, sorted: those within an
// edit distance of 2, or that s begins (a name cut short, counted as one
// edit), every one at the least distance found.
func closest(s string, candidates []string) []string {
	best, out := 3, []string(nil)
	for _, c := range candidates {
		d := editDistance(s, c)
		if d > 1 && len(s) >= 2 && strings.HasPrefix(c, s) {
			d = 1
		}
		switch {
		case d < best:
			best, out = d, []string{c}
		case d == best:
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// editDistance is the number of single-character insertions, deletions,
// substitutions and swaps of two neighbours that turn a into b (optimal
// string alignment): "form" is one swap from "from".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// printHelp prints a command's help: what it does, its usage line from
// the usage text, each flag with its default, and an example.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	name := fs.Name()
	fmt.Fprintf(w, "optout %s: %s.\n\nUsage:\n  %s\n\nFlags:\n", name, about[name].summary, usageLine(name))
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		if isZeroDefault(f) {
			fmt.Fprintf(w, "  --%s%s\n        %s\n", f.Name, arg, text)
		} else {
			fmt.Fprintf(w, "  --%s%s\n        %s (default %s)\n", f.Name, arg, text, f.DefValue)
		}
	})
	fmt.Fprintf(w, "\nExample:\n  %s\n", about[name].example)
}

// isZeroDefault: the flag's default is its type's zero value, which goes
// without saying (a flag whose empty default means something says so in
// its usage).
func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0":
		return true
	}
	return false
}

// usageLine is the command's line of the usage text, without its comment.
func usageLine(name string) string {
	for _, l := range strings.Split(usage, "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "optout" && f[1] == name {
			l, _, _ = strings.Cut(l, "#")
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return "optout " + name
}

// commandNames are the commands, sorted, for suggesting one.
func commandNames() []string {
	names := make([]string, 0, len(about))
	for n := range about {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// onceValue is a flag's value that refuses to be set a second time.
type onceValue struct {
	flag.Value
	name  string
	set   bool
	twice *string // the flag given twice, for parseFlags' error
}

func (v *onceValue) Set(s string) error {
	if v.set {
		*v.twice = v.name
		return errors.New("given twice")
	}
	v.set = true
	return v.Value.Set(s)
}

// IsBoolFlag keeps a boolean flag one that takes no value.
func (v *onceValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
