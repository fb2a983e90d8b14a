// Package layout_test keeps the import rules that make data flow one way:
// collect knows nothing of bundles, the analysis is pure, and the command
// calls the libraries.
//
// To whoever adds or moves a package: when the command needs a new library
// entry point, add it to cmdEntryPoints below with what it is for; when the
// command stops importing a package listed in cmdNotYetMoved, delete it from
// that list. The analysis stays pure: it never gets an entry in a list here
// that would let it write.
package layout_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/twilio-evidence/twilio-evidence"

// cmdEntryPoints are the project packages the command may import: the
// library functions it calls, one per command, and the types their options
// and results are made of.
var cmdEntryPoints = []string{
	"bundle",             // writing a bundle, its Localizer and done line
	"bundle/analysis",    // the analysis result a summary reports
	"bundle/pipeline",    // running a bundle, a trace and a re-redaction; the demo, the files or the account; the output's redactor
	"bundle/weekly",      // the weekly report: lock, previous bundle, retention
	"bundle/subaccounts", // the subaccount run (Bundles) and its index
	"collect",            // the evidence and the collectors' options
	"collect/probe",      // the probe command (probe.Command) and its table
	"collect/runerr",     // the errors that decide the exit code
	"collect/trace",      // the trace command's result
	"bundle/doctor",      // twilio-evidence doctor
	"templates",          // the catalogs the help and the terminal speak from
}

// cmdNotYetMoved are project packages the command still imports while its
// work moves into the libraries; the list only shrinks.
var cmdNotYetMoved = []string{}

// cmdOtherModules are the other modules' packages the command may import:
// flags, the terminal and the progress display.
var cmdOtherModules = []string{
	"github.com/spf13/pflag",
	"golang.org/x/term",
	"github.com/vbauerster/cupwriter",
	"github.com/vbauerster/mpb/v8",
	"github.com/vbauerster/mpb/v8/decor",
}

// cmdForbiddenStd are standard packages that would mean the command reads
// or writes a bundle's files itself.
var cmdForbiddenStd = []string{"archive/zip", "encoding/csv", "io/fs"}

// analysisProject are the project packages the analysis may import: the
// evidence, its data packages, the statistics and the catalogs.
var analysisProject = []string{
	"bundle/stats",
	"collect",
	"collect/hoplog",
	"collect/probe",
	"collect/twiliocodes",
	"collect/twiliostatus",
	"templates",
}

// statsProject are the project packages the statistics, which the
// analysis computes, may import: the evidence and the CSV cells.
var statsProject = []string{"collect", "collect/csvsafe"}

// analysisForbiddenStd are the standard packages that reach the file
// system, the network or other processes.
var analysisForbiddenStd = []string{"os", "os/exec", "net", "net/http", "io/fs", "io/ioutil", "archive/zip", "syscall"}

// imports lists every package of the module with its direct imports (not
// those of its tests), relative to the module for the module's own.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: the import rules are checked with go list")
	}
	out, err := exec.Command(gobin, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var deps []string
		for _, d := range f[1:] {
			deps = append(deps, relative(d))
		}
		pkgs[relative(f[0])] = deps
	}
	if len(pkgs) == 0 {
		t.Fatal("go list listed no package")
	}
	return pkgs
}

// relative is a module package's path inside the module ("bundle/stats"),
// and any other package's path as it is.
func relative(p string) string {
	if p == module {
		return "."
	}
	return strings.TrimPrefix(p, module+"/")
}

// own reports whether p is a package of the module (after relative).
func own(p string) bool {
	switch strings.SplitN(p, "/", 2)[0] {
	case "bundle", "cmd", "collect", "doctor", "internal", "scripts", "templates", ".":
		return true
	}
	return false
}

// std reports whether p is a standard package: not the module's, and with
// no domain in its first element.
func std(p string) bool { return !own(p) && !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") }

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func TestImports_AnalysisIsPure(t *testing.T) {
	pkgs := imports(t)
	found := 0
	for p, deps := range pkgs {
		allowed := analysisProject
		switch {
		case under(p, "bundle/analysis"):
		case p == "bundle/stats":
			allowed = statsProject
		default:
			continue
		}
		found++
		for _, d := range deps {
			switch {
			case slices.Contains(analysisForbiddenStd, d):
				t.Errorf("%s imports %s: the analysis reads the evidence it is given and never reaches files, the network or processes", p, d)
			case own(d) && !under(d, p) && !slices.Contains(allowed, d):
				t.Errorf("%s imports %s: the analysis imports the evidence (collect), the statistics and the catalogs, never a writer or a zip reader", p, d)
			case !std(d) && !own(d):
				t.Errorf("%s imports %s: the analysis needs no other module", p, d)
			}
		}
	}
	if found < 2 {
		t.Fatal("bundle/analysis or bundle/stats not listed")
	}
}

func TestImports_CollectImportsNoBundle(t *testing.T) {
	for p, deps := range imports(t) {
		if !under(p, "collect") {
			continue
		}
		for _, d := range deps {
			if under(d, "bundle") || under(d, "cmd") {
				t.Errorf("%s imports %s: collectors gather evidence and know nothing of the bundle made from it", p, d)
			}
		}
	}
}

func TestImports_CommandCallsTheLibraries(t *testing.T) {
	pkgs := imports(t)
	deps, ok := pkgs["cmd/twilio-evidence"]
	if !ok {
		t.Fatal("cmd/twilio-evidence not listed")
	}
	for _, d := range deps {
		switch {
		case slices.Contains(cmdForbiddenStd, d):
			t.Errorf("cmd/twilio-evidence imports %s: reading and writing a bundle's files is a library's job", d)
		case std(d):
		case own(d):
			if !slices.Contains(cmdEntryPoints, d) && !slices.Contains(cmdNotYetMoved, d) {
				t.Errorf("cmd/twilio-evidence imports %s: the command calls library entry points only; if %s is one, add it to cmdEntryPoints in imports_test.go", d, d)
			}
		default:
			if !slices.Contains(cmdOtherModules, d) {
				t.Errorf("cmd/twilio-evidence imports %s: beyond the libraries, the command uses flags, the terminal and the progress display only", d)
			}
		}
	}
	for _, d := range cmdNotYetMoved {
		if !slices.Contains(deps, d) {
			t.Logf("cmd/twilio-evidence no longer imports %s: delete it from cmdNotYetMoved", d)
		}
	}
}

func TestImports_TemplatesImportNothingOfTheProject(t *testing.T) {
	deps, ok := imports(t)["templates"]
	if !ok {
		t.Fatal("templates not listed")
	}
	for _, d := range deps {
		if own(d) {
			t.Errorf("templates imports %s: the texts are data every package may read, and import none of them", d)
		}
	}
}
