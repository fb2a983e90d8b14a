package runerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf_SurvivesWrapping(t *testing.T) {
	base := errors.New("connection refused")
	cases := []struct {
		err  error
		want Kind
	}{
		{nil, Unclassed},
		{base, Unclassed},
		{Usagef("--since %q: not a duration", "x"), Usage},
		{Env(base), Pointless},
		{fmt.Errorf("report: %w", Env(base)), Pointless},
		{Incompletef("the bundle is incomplete: %s", "alerts"), Incomplete},
		{New(Incidents, base), Incidents},
		{New(Interrupted, base), Interrupted},
	}
	for _, c := range cases {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("KindOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	if New(Usage, nil) != nil || Env(nil) != nil {
		t.Error("a nil error must stay nil")
	}
	if err := Env(base); !errors.Is(err, base) || err.Error() != base.Error() {
		t.Errorf("%v does not wrap %v", err, base)
	}
}

func TestExitCode_OneForEachClass(t *testing.T) {
	base := errors.New("boom")
	for err, want := range map[error]int{
		nil:                            ExitOK,
		base:                           ExitUsage,
		Usagef("bad"):                  ExitUsage,
		fmt.Errorf("x: %w", Env(base)): ExitPointless,
		Incompletef("partial"):         ExitIncomplete,
		New(Incidents, base):           ExitIncidents,
		New(Interrupted, base):         ExitInterrupted,
	} {
		if got := ExitCode(err); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
		}
	}
}
