package transforms

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
)

// TestGPPBigQueryUDFMatchesGo runs the BigQuery engine's JavaScript UDF
// (sql/gpp.bigquery.sql) under Node on the shared vectors and on 20,000
// strings mutated from them, and requires DecodeGPP's answer for each: the
// two engines decode GPP identically.
func TestGPPBigQueryUDFMatchesGo(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("this test runs the BigQuery GPP UDF under Node: install node (CI machines have it)")
	}
	r, err := newRenderer(BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	udf, _, err := r.render("bigquery_udf_optout_gpp", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(udf, `r"""`)
	body, _, ok2 := strings.Cut(body, `"""`)
	if !ok || !ok2 {
		t.Fatalf("no r\"\"\"...\"\"\" body in the UDF:\n%s", udf)
	}

	var inputs []string
	for _, v := range append(gppVectors(), stateSectionVectors()...) {
		inputs = append(inputs, v.gpp)
	}
	inputs = append(inputs, mutatedGPP(rand.New(rand.NewSource(7)), inputs, 20000)...)
	in, _ := json.Marshal(inputs)
	src, _ := json.Marshal(body)
	script := `const f = new Function("s", ` + string(src) + `);
const inputs = JSON.parse(require("fs").readFileSync(0, "utf8"));
if (f(null) !== null) throw new Error("NULL in must be NULL out");
process.stdout.write(JSON.stringify(inputs.map(s => f(s))));`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(inputs) {
		t.Fatalf("node output (%d results for %d inputs): %v", len(got), len(inputs), err)
	}
	kinds := map[string]int{}
	bad := 0
	for i, s := range inputs {
		want := DecodeGPP(s)
		kinds[want]++
		if got[i] != want && bad < 10 {
			t.Errorf("%q: UDF %s, DecodeGPP %s", s, got[i], want)
			bad++
		}
	}
	// The generated strings must exercise all three answers.
	if kinds[GPPOptOut] < 100 || kinds[GPPNoOptOut] < 100 || kinds[GPPInvalid] < 100 {
		t.Errorf("too little variety in the inputs: %v", kinds)
	}
}

// mutatedGPP returns n strings, each a seed with one to three edits
// (replace, insert or delete a character) from GPP's alphabet and a few
// characters it must refuse. Every string is valid UTF-8, so JSON carries
// it to Node unchanged.
func mutatedGPP(rng *rand.Rand, seeds []string, n int) []string {
	alphabet := []rune(base64url + "~.~. !é\t\u00a0")
	var out []string
	for len(out) < n {
		s := []rune(seeds[rng.Intn(len(seeds))])
		for e := rng.Intn(3) + 1; e > 0; e-- {
			c := alphabet[rng.Intn(len(alphabet))]
			switch i := rng.Intn(len(s) + 1); {
			case rng.Intn(3) == 0 || len(s) == 0:
				s = append(s[:i], append([]rune{c}, s[i:]...)...)
			case i == len(s):
				s = s[:len(s)-1]
			case rng.Intn(2) == 0:
				s[i] = c
			default:
				s = append(s[:i], s[i+1:]...)
			}
		}
		out = append(out, string(s))
	}
	return out
}
