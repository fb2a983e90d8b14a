package weekly

import (
	"errors"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

func TestConclude_ABrokenCollectionBeforeIncidents(t *testing.T) {
	incomplete := runerr.Incompletef("the bundle is incomplete: alerts did not finish")
	plain := errors.New("disk full")
	for _, c := range []struct {
		name      string
		incidents int
		runErr    error
		failOn    bool
		code      int
		kind      runerr.Kind
		want      string
	}{
		{"clean", 0, nil, true, runerr.ExitOK, runerr.Unclassed, ""},
		{"incidents not asked about", 4, nil, false, runerr.ExitOK, runerr.Unclassed, ""},
		{"incidents asked about", 4, nil, true, runerr.ExitIncidents, runerr.Incidents, "4 webhook failures in the window (--fail-on-incidents): see /out/b.zip"},
		{"incomplete with incidents", 4, incomplete, true, runerr.ExitIncomplete, runerr.Incomplete, "did not finish"},
		{"unclassed error", 0, plain, false, runerr.ExitIncomplete, runerr.Unclassed, "disk full"},
	} {
		sum := &Summary{Path: "/out/b.zip", Incidents: c.incidents}
		err := sum.Conclude(c.runErr, c.failOn)
		if sum.ExitCode != c.code || runerr.KindOf(err) != c.kind || (c.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: exit code %d, error %v; want %d and a %v error saying %q", c.name, sum.ExitCode, err, c.code, c.kind, c.want)
		}
	}
}
