package config

import (
	"bytes"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// beingAdded are keys that docs/config.md documents ahead of the code:
// other branches are adding them (issue 30, behaviour contract §7 and §10).
// A documented key that Config does not have is an error unless it is
// listed here; once Config has it, it is checked like every other key
// (type, default, example), and its entry here can go.
var beingAdded = []string{
	"output_file_mode",
	"exports[].csv_formula_guard",
	"policy.max_invalid_key_ratio",
}

// configKeys returns every YAML key of the Config tree by its path:
// "policy.max_quarantine_ratio", "inputs.requests[].freshness",
// "exports[].identifiers". A mapping (struct) is a key and so are its
// keys; a type that decodes itself (Duration) or a map is a leaf.
func configKeys() []string {
	var keys []string
	unmarshaler := reflect.TypeFor[yaml.Unmarshaler]()
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if slices.Contains(strings.Split(opts, ","), "inline") {
				walk(ft, prefix)
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name) // yaml.v3's default
			}
			key := prefix + name
			keys = append(keys, key)
			if ft.Kind() == reflect.Slice {
				key += "[]"
				ft = ft.Elem()
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
			}
			if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshaler) {
				walk(ft, key+".")
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	return keys
}

// docSection is the text of docs/config.md under one key heading
// ("### `policy.max_quarantine_ratio`").
type docSection struct{ key, text string }

var (
	keyHeading = regexp.MustCompile("(?m)^### `([^`]+)`$")
	yamlBlock  = regexp.MustCompile("(?s)```yaml\n(.*?)```")
	typeLine   = regexp.MustCompile(`^\s+Type: [^·]+·\s+Default:\s+\S`)
	defaultIs  = regexp.MustCompile("Default:\\s+`([^`]+)`")
)

func readConfigDoc(t *testing.T) (string, []docSection) {
	t.Helper()
	b, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var sections []docSection
	heads := keyHeading.FindAllStringSubmatchIndex(doc, -1)
	for i, h := range heads {
		end := len(doc)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		if next := strings.Index(doc[h[1]:end], "\n## "); next >= 0 {
			end = h[1] + next
		}
		sections = append(sections, docSection{key: doc[h[2]:h[3]], text: doc[h[1]:end]})
	}
	return doc, sections
}

// covers reports whether documented key doc names config key key: exactly,
// or with * standing for one key of the path ("inputs.*.path").
func covers(doc, key string) bool {
	if !strings.Contains(doc, "*") {
		return doc == key
	}
	pattern := strings.ReplaceAll(regexp.QuoteMeta(doc), `\*`, `[a-z_]+(\[\])?`)
	return regexp.MustCompile("^" + pattern + "$").MatchString(key)
}

// notYet returns the beingAdded keys that Config does not have yet.
func notYet(keys []string) []string {
	var out []string
	for _, k := range beingAdded {
		if !slices.Contains(keys, k) {
			out = append(out, k)
		}
	}
	return out
}

// withoutKeys drops from a YAML example the lines that set one of keys
// (by its last name), so that it parses before those keys exist.
func withoutKeys(example string, keys []string) string {
	for _, k := range keys {
		name := k[strings.LastIndex(k, ".")+1:]
		example = regexp.MustCompile(`(?m)^[ \t]*(- )?`+regexp.QuoteMeta(name)+`:.*\n`).ReplaceAllString(example, "")
	}
	return example
}

// Every key of the Config tree is documented in docs/config.md, and every
// documented key exists (or is one of beingAdded, not there yet).
func TestConfigDocumentsEveryKey(t *testing.T) {
	keys := configKeys()
	if len(keys) < 40 || !slices.Contains(keys, "inputs.requests[].freshness") || !slices.Contains(keys, "exports[].identifiers") {
		t.Fatalf("the walk of Config found only %v", keys)
	}
	_, sections := readConfigDoc(t)
	pending := notYet(keys)
	for _, k := range pending {
		t.Logf("documented ahead of the code (being added): %s", k)
	}
	for _, k := range keys {
		if !slices.ContainsFunc(sections, func(s docSection) bool { return covers(s.key, k) }) {
			t.Errorf("config key %s is not documented in docs/config.md (add a ### `%s` section)", k, k)
		}
	}
	seen := map[string]bool{}
	for _, s := range sections {
		if seen[s.key] {
			t.Errorf("docs/config.md documents %s twice", s.key)
		}
		seen[s.key] = true
		if !slices.ContainsFunc(keys, func(k string) bool { return covers(s.key, k) }) && !slices.Contains(pending, s.key) {
			t.Errorf("docs/config.md documents %s, which is no config key", s.key)
		}
	}
}

// Each documented key has its type, default and an example, and every
// example parses as a configuration with no unknown key.
func TestConfigDocSectionsAreComplete(t *testing.T) {
	doc, sections := readConfigDoc(t)
	pending := notYet(configKeys())
	for _, s := range sections {
		if !typeLine.MatchString(s.text) {
			t.Errorf("docs/config.md, %s: no \"Type: … · Default: …\" line", s.key)
		}
		examples := yamlBlock.FindAllStringSubmatch(s.text, -1)
		if len(examples) == 0 {
			t.Errorf("docs/config.md, %s: no yaml example", s.key)
		}
		name := s.key[strings.LastIndex(s.key, ".")+1:]
		for _, ex := range examples {
			if !strings.Contains(ex[1], name+":") {
				t.Errorf("docs/config.md, %s: the example does not set %s:\n%s", s.key, name, ex[1])
			}
			text := withoutKeys(ex[1], pending)
			if strings.TrimSpace(text) == "" {
				continue // only keys that are being added
			}
			c := defaults()
			dec := yaml.NewDecoder(strings.NewReader(text))
			dec.KnownFields(true)
			if err := dec.Decode(&c); err != nil {
				t.Errorf("docs/config.md, %s: the example does not parse: %v\n%s", s.key, err, ex[1])
			}
		}
	}
	// The complete example loads and validates.
	full := yamlBlock.FindStringSubmatch(doc)
	if full == nil || !strings.Contains(full[1], "policy:") {
		t.Fatal("docs/config.md starts with no complete example")
	}
	t.Setenv("ADOBE_EXPORT_DIR", "/srv/adobe")
	if _, err := Load(write(t, withoutKeys(full[1], pending))); err != nil {
		t.Errorf("the complete example of docs/config.md does not load: %v", err)
	}
}

// unsetMeans is what a key the loader keeps as a nil pointer means when the
// file leaves it out (the code that reads it says so too).
var unsetMeans = map[string]any{"exports[].csv_formula_guard": true}

// The defaults docs/config.md shows in backticks are those the loader
// applies (after validation, which fills some in).
func TestConfigDocDefaultsAreTheLoadersDefaults(t *testing.T) {
	_, sections := readConfigDoc(t)
	keys := configKeys()
	c, err := Load(write(t, `
output: out
inputs:
  requests: [{name: web, path: r.parquet}]
  customers: {path: c.parquet}
  identity_links: {path: l.parquet}
  traffic: {path: t.parquet}
exports:
  - {name: ga, path: e.parquet, category: advertising, identifiers: {email: email}}
lineage: {file: lineage.jsonl}
`))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range sections {
		m := defaultIs.FindStringSubmatch(s.text)
		if m == nil {
			continue
		}
		var want any
		if err := yaml.Unmarshal([]byte(m[1]), &want); err != nil {
			t.Errorf("docs/config.md, %s: default `%s` is not YAML: %v", s.key, m[1], err)
			continue
		}
		for _, k := range keys {
			if !covers(s.key, k) {
				continue
			}
			v, ok := valueAt(reflect.ValueOf(c).Elem(), k)
			if !ok {
				t.Errorf("docs/config.md, %s: no value at %s in the loaded config", s.key, k)
				continue
			}
			if u, isUnset := unsetMeans[k]; isUnset && v.Kind() == reflect.Pointer && v.IsNil() {
				v = reflect.ValueOf(u) // a pointer key left out of the file means this
			}
			b, err := yaml.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := yaml.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normal(got), normal(want)) {
				t.Errorf("docs/config.md says %s defaults to `%s`; the loader gives %s for %s", s.key, m[1], bytes.TrimSpace(b), k)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d documented defaults checked", checked)
	}
}

// normal makes empty lists and maps compare equal whatever their Go type.
func normal(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return "empty list"
		}
	case map[string]any:
		if len(x) == 0 {
			return "empty map"
		}
	}
	return v
}

// valueAt follows a key path through the loaded config; a list's path
// reads its first item.
func valueAt(v reflect.Value, key string) (reflect.Value, bool) {
	for _, part := range strings.Split(key, ".") {
		name, list := strings.CutSuffix(part, "[]")
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		found := false
		for i := range v.NumField() {
			tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if tag == name {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return v, false
		}
		if list {
			if v.Len() == 0 {
				return v, false
			}
			v = v.Index(0)
		}
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v, true
}

// The helpers read the page's notation as documented.
func TestConfigDocHelpers(t *testing.T) {
	if !covers("inputs.*.path", "inputs.requests[].path") || !covers("inputs.*.path", "inputs.traffic.path") ||
		covers("inputs.*.path", "inputs.traffic.table") || covers("inputs.*.path", "inputs.path") {
		t.Error("covers does not read inputs.* as each input")
	}
	if got := withoutKeys("a: 1\npolicy:\n  max_invalid_key_ratio: 0.9\n  b: 2\n", []string{"policy.max_invalid_key_ratio"}); got != "a: 1\npolicy:\n  b: 2\n" {
		t.Errorf("withoutKeys left %q", got)
	}
}
