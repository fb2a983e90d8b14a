package analysis

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
)

// TestCatalogue_EveryCauseHasItsStepRankFixAndSentences walks the
// catalogue: every cause declared in cause.go has an entry with a step, a
// rank of its own and a detector, and its name, headline, evidence and fix
// in English and Japanese; its headline renders from the figures its entry
// names. A cause added without them fails here.
func TestCatalogue_EveryCauseHasItsStepRankFixAndSentences(t *testing.T) {
	declared := declaredCauses(t)
	if len(declared) < 35 {
		t.Fatalf("found %d causes in cause.go", len(declared))
	}
	for _, c := range declared {
		if _, ok := EntryOf(c); !ok {
			t.Errorf("%s is declared but has no catalogue entry", c)
		}
	}
	en, ja := english, mustText(t, "ja")
	ranks := map[int]Cause{}
	for _, e := range Catalogue {
		if e.Rank <= 0 {
			t.Errorf("%s has no rank", e.Cause)
		}
		if other, dup := ranks[e.Rank]; dup {
			t.Errorf("%s and %s share rank %d", e.Cause, other, e.Rank)
		}
		ranks[e.Rank] = e.Cause
		if e.Step < 0 || e.Step > 4 || e.Step == 0 && e.kind == kindFault && e.Cause != CauseWebhookChanged {
			t.Errorf("%s has step %d", e.Cause, e.Step)
		}
		if strings.TrimSpace(e.Detector) == "" {
			t.Errorf("%s has no detector", e.Cause)
		}
		figs := map[string]any{"where": "w.example.com", "a": "A", "b": "B", "decider": "D", "webhooks": 2, "of": 3, "at_expiry": true, "answers": true, "basis": "log"}
		for _, f := range e.Figures {
			if _, set := figs[f]; !set {
				figs[f] = "<" + f + ">"
			}
		}
		for _, key := range []string{e.Cause.NameKey(), e.Cause.HeadlineKey(), e.Cause.EvidenceKey(), e.Cause.FixKey()} {
			s, ok := en.Render(key, figs)
			if !ok {
				t.Errorf("%s: no English sentence (or a figure it needs is not in the entry's Figures %v)", key, e.Figures)
				continue
			}
			j, ok := ja.Render(key, figs)
			if !ok || j == s {
				t.Errorf("%s: no Japanese sentence", key)
			}
		}
		if h, _ := en.Render(e.Cause.HeadlineKey(), figs); e.kind != kindMeta && !strings.Contains(h, "<") && e.Cause != CauseNoFailures {
			t.Errorf("%s: the headline %q names none of its figures", e.Cause, h)
		}
	}
}

// declaredCauses are the Cause constants of cause.go.
func declaredCauses(t *testing.T) []Cause {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "cause.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []Cause
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Cause" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					out = append(out, Cause(strings.Trim(lit.Value, `"`)))
				}
			}
		}
	}
	return out
}

func mustText(t *testing.T, lang string) *Text {
	t.Helper()
	l, err := NewText(lang)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCatalogue_TheREADMEListsEveryCause: the README's table "Causes it
// names" has a row for every cause of the catalogue.
func TestCatalogue_TheREADMEListsEveryCause(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "### Causes it names")
	if !ok {
		t.Fatal(`README.md has no "Causes it names" table`)
	}
	for _, e := range Catalogue {
		if !strings.Contains(table, "| `"+string(e.Cause)+"` |") {
			t.Errorf("README.md's table lacks %s", e.Cause)
		}
	}
}

func TestTwilioCodes_CausesAreInTheCatalogue(t *testing.T) {
	for _, e := range twiliocodes.Entries() {
		for _, c := range e.Causes {
			if _, ok := EntryOf(Cause(c)); !ok {
				t.Errorf("code %d names %q, which the cause catalogue lacks", e.Code, c)
			}
		}
	}
}
