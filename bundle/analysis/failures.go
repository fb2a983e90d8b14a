package analysis

import "github.com/twilio-evidence/twilio-evidence/collect"

// FailureFigures are the figures of a collector's failure in a finding:
// its name and state, and the classified failure (FailureFromFigures reads
// them back).
func FailureFigures(name string, state collect.CollectorState, f collect.Failure) map[string]any {
	return map[string]any{"name": name, "state": string(state), "class": string(f.Class), "host": f.Host, "addr": f.Addr,
		"status": f.HTTPStatus, "code": f.TwilioCode, "after": f.After, "detail": f.Detail}
}

// FailureFromFigures is the failure FailureFigures recorded.
func FailureFromFigures(figs map[string]any) collect.Failure {
	str := func(k string) string {
		if v, ok := figs[k].(string); ok {
			return v
		}
		return ""
	}
	num := func(k string) int {
		switch v := figs[k].(type) {
		case int:
			return v
		case float64:
			return int(v)
		}
		return 0
	}
	return collect.Failure{Class: collect.FailureClass(str("class")), Host: str("host"), Addr: str("addr"), HTTPStatus: num("status"),
		TwilioCode: num("code"), After: str("after"), Detail: str("detail")}
}
