package weekly

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// bundleName matches the names bundle.FileName gives, and nothing else.
var bundleName = regexp.MustCompile(`^twilio-evidence_(AC[0-9a-fA-F]{32})?_(\d{4}-\d{2}-\d{2}T\d{4}Z)_(\d{4}-\d{2}-\d{2}T\d{4}Z)\.zip$`)

// dirBundle is one bundle found in a directory.
type dirBundle struct {
	path     string
	from, to time.Time
}

// accountBundles lists the bundles of account in dir, newest window end
// first (then newest start).
func accountBundles(dir, account string) ([]dirBundle, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	const f = "2006-01-02T1504Z"
	var out []dirBundle
	for _, e := range entries {
		m := bundleName.FindStringSubmatch(e.Name())
		if m == nil || m[1] != account || !e.Type().IsRegular() {
			continue
		}
		from, err1 := time.Parse(f, m[2])
		to, err2 := time.Parse(f, m[3])
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, dirBundle{path: filepath.Join(dir, e.Name()), from: from, to: to})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].to.Equal(out[j].to) {
			return out[i].to.After(out[j].to)
		}
		return out[i].from.After(out[j].from)
	})
	return out, nil
}

// PreviousBundle is the newest bundle of account in dir whose window ends
// no later than w, other than w's own bundle; "" when there is none.
func PreviousBundle(dir, account string, w collect.Window) string {
	list, err := accountBundles(dir, account)
	if err != nil {
		return ""
	}
	own := bundle.FileName(&collect.Evidence{Account: collect.Account{SID: account}, Window: w})
	for _, b := range list {
		if filepath.Base(b.path) == own || b.to.After(w.To) {
			continue
		}
		return b.path
	}
	return ""
}

// Prune deletes the bundles of account in dir beyond the keep newest; the
// bundle just written always stays. Only files named like the tool's own
// bundles are touched. It returns the paths deleted.
func Prune(dir, account string, keep int, written string) ([]string, error) {
	list, err := accountBundles(dir, account)
	if err != nil {
		return nil, err
	}
	var deleted []string
	var errs []string
	kept := 1 // the one just written
	for _, b := range list {
		if b.path == written {
			continue
		}
		if kept < keep {
			kept++
			continue
		}
		if err := os.Remove(b.path); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		deleted = append(deleted, b.path)
	}
	if len(errs) > 0 {
		return deleted, fmt.Errorf("could not delete %s", strings.Join(errs, "; "))
	}
	return deleted, nil
}
