package layout_test

import (
	"os"
	"strings"
	"testing"
)

// TestArchitecture_NamesEveryPackage keeps docs/ARCHITECTURE.md, the map
// of the packages, from falling behind: every package of the module is
// named there, in backquotes.
func TestArchitecture_NamesEveryPackage(t *testing.T) {
	doc, err := os.ReadFile("docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	for p := range imports(t) {
		if p == "." {
			continue // this package: the tests of the layout
		}
		if !strings.Contains(string(doc), "`"+p+"`") {
			t.Errorf("docs/ARCHITECTURE.md does not name the package %s: add one line on what it does where it stands in the data flow", p)
		}
	}
}
