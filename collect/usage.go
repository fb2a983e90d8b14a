package collect

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// Usage collects daily call and message totals from the Usage Records API:
// the denominators of the error rates, without listing every call.
type Usage struct{}

// Name implements Collector.
func (Usage) Name() string { return "usage" }

// Off implements Switchable.
func (Usage) Off(env *Env) string { return noAPI(env) }

// Collect implements Collector.
func (Usage) Collect(ctx context.Context, env *Env) error {
	if why := noAPI(env); why != "" {
		return Skip("%s", why)
	}
	rc := env.API.Client(ctx)
	w := env.Evidence.Window
	days := map[string]*UsageDay{}
	for _, cat := range []string{"calls", "sms"} {
		p := new(api.ListUsageRecordDailyParams).SetCategory(cat).
			SetStartDate(w.From.UTC().Format("2006-01-02")).
			SetEndDate(w.To.UTC().Add(-time.Nanosecond).Format("2006-01-02")).
			SetIncludeSubaccounts(false).SetPageSize(1000).SetLimit(400)
		recs, err := rc.Api.ListUsageRecordDaily(p)
		if err != nil {
			return fmt.Errorf("usage records (%s): %w", cat, apiErr(err))
		}
		for _, r := range recs {
			day := deref(r.StartDate)
			t, err := time.Parse("2006-01-02", day)
			if err != nil {
				continue
			}
			n, _ := strconv.ParseFloat(deref(r.Count), 64)
			d := days[day]
			if d == nil {
				d = &UsageDay{Day: t}
				days[day] = d
			}
			if cat == "calls" {
				d.Calls += int(n)
			} else {
				d.Messages += int(n)
			}
		}
	}
	for _, d := range sortedDays(days) {
		env.Evidence.Usage = append(env.Evidence.Usage, *d)
	}
	return nil
}

func sortedDays(m map[string]*UsageDay) []*UsageDay {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*UsageDay, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
