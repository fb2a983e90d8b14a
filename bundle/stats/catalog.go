package stats

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// catalog holds every sentence of the package, per language and finding ID,
// as text/template text over the finding's Figures. Functions: num (a count
// or figure with thousands separators), pct (a share as a percentage), span
// (a length in seconds, in words), plural (one of two words by a count) and
// count (a count followed by plural's word).
var catalog = map[string]map[string]string{
	"en": {
		"stats.summary":              "{{count .total `incident` `incidents`}} (failed webhook requests) between {{.from}} and {{.to}} ({{.zone}}): {{num .calls}} on calls, {{num .messages}} on messages, {{num .other}} other.",
		"stats.none":                 "No incidents between {{.from}} and {{.to}} ({{.zone}}).",
		"stats.first_last":           "The first incident was at {{.first}} and the last at {{.last}} ({{.zone}}{{if ne .zone `UTC`}}; {{.first_utc}} to {{.last_utc}} UTC{{end}}).",
		"stats.rate":                 "On the {{count .days `full UTC day` `full UTC days`}} with usage totals ({{.first_day}}{{if ne .first_day .last_day}} to {{.last_day}}{{end}}), {{num .incidents}} of {{num .traffic}} calls and messages failed: an error rate of {{pct .rate}}.",
		"stats.rate_no_usage":        "The error rate is unknown: no usage totals were available for the window.",
		"stats.rate_no_full_day":     "The error rate is unknown: the window holds no full UTC day with usage totals.",
		"stats.band":                 "{{pct .share}} of incidents ({{num .incidents}} of {{num .total}}) fell between {{.from_hour}} and {{.to_hour}} ({{.zone}}), the busiest {{.hours}}-hour band of the day.",
		"stats.burst":                "1 burst of at least {{num .min}} incidents within {{span .span_seconds}}: {{num .largest}} incidents from {{.start}} to {{.end}} ({{.zone}}).",
		"stats.bursts":               "{{num .bursts}} bursts of at least {{num .min}} incidents within {{span .span_seconds}}; the largest had {{num .largest}} incidents from {{.start}} to {{.end}} ({{.zone}}).",
		"stats.no_bursts":            "No burst of {{num .min}} or more incidents within {{span .span_seconds}}.",
		"stats.dominant_code":        "Error {{.key}} accounts for {{pct .share}} of incidents ({{num .incidents}} of {{num .total}}).",
		"stats.dominant_host":        "{{pct .share}} of incidents ({{num .incidents}} of {{num .total}}) were requests to host {{.key}}.",
		"stats.dominant_url":         "{{pct .share}} of incidents ({{num .incidents}} of {{num .total}}) were requests to {{.key}}.",
		"stats.spread_code":          "No error code accounts for more than half of the incidents: the most frequent, {{.key}}, for {{pct .share}} ({{num .incidents}} of {{num .total}}).",
		"stats.spread_host":          "No host accounts for more than half of the incidents: the most frequent, {{.key}}, for {{pct .share}} ({{num .incidents}} of {{num .total}}).",
		"stats.spread_url":           "No URL accounts for more than half of the incidents: the most frequent, {{.key}}, for {{pct .share}} ({{num .incidents}} of {{num .total}}).",
		"stats.probes_aligned":       "Probes also failed in {{num .both}} of the {{count .incident_hours `probed hour` `probed hours`}} with incidents, and {{num .both}} of the {{count .failed_hours `hour` `hours`}} with failed probes had incidents: failures line up by hour.",
		"stats.probes_not_aligned":   "Probes succeeded in {{num .ok_hours}} of the {{count .incident_hours `probed hour` `probed hours`}} with incidents: failures do not line up with probe failures by hour.",
		"stats.probes_no_overlap":    "No probe ran in an hour with incidents ({{count .probes `probe` `probes`}} over {{count .probed_hours `hour` `hours`}}).",
		"stats.trend.up":             "Incidents up {{pct .change}} on the previous {{span .seconds}} ({{num .current}} against {{num .previous}}).",
		"stats.trend.down":           "Incidents down {{pct .change}} on the previous {{span .seconds}} ({{num .current}} against {{num .previous}}).",
		"stats.trend.same":           "Incidents unchanged on the previous {{span .seconds}} ({{num .current}}).",
		"stats.trend.from_zero":      "{{count .current `incident` `incidents`}} against none in the previous {{span .seconds}}.",
		"stats.trend.length_differs": "{{count .current `incident` `incidents`}} in this window ({{span .seconds}}) against {{num .previous}} in the previous one ({{span .previous_seconds}}); the lengths differ, so no change is given.",
		"stats.trend.code_new":       "Error {{.key}} is new: {{count .current `incident` `incidents`}} against none in the previous window.",
		"stats.trend.code_up":        "Error {{.key}} up {{pct .change}} ({{num .current}} against {{num .previous}}).",
		"stats.trend.code_down":      "Error {{.key}} down {{pct .change}} ({{num .current}} against {{num .previous}}).",
		"stats.trend.code_gone":      "Error {{.key}} did not occur, against {{count .previous `incident` `incidents`}} in the previous window.",
		"stats.trend.code_same":      "Error {{.key}} unchanged ({{num .current}}).",
		"stats.trend.rate":           "The error rate was {{pct .current}} against {{pct .previous}} in the previous window.",
		"stats.unavailable":          "The frequency statistics could not be computed: {{.reason}}.",
		"stats.trend_unavailable":    "No trend on the previous window: {{.reason}}.",
		"stats.only_one":             "The only incident was at {{.first}} ({{.zone}}{{if ne .zone `UTC`}}; {{.first_utc}} UTC{{end}}).",
		"stats.outside_window":       "{{count .outside `incident` `incidents`}} outside the window {{plural .outside `was` `were`}} not counted.",
		"stats.rate_calls_messages":  "On the same days, by kind: {{pct .call_rate}} of calls ({{num .call_incidents}} of {{num .calls}}) and {{pct .message_rate}} of messages ({{num .message_incidents}} of {{num .messages}}).",
		"stats.rate_calls_only":      "On the same days, by kind: {{pct .call_rate}} of calls failed ({{num .call_incidents}} of {{num .calls}}); no messages were sent.",
		"stats.rate_messages_only":   "On the same days, by kind: {{pct .message_rate}} of messages failed ({{num .message_incidents}} of {{num .messages}}); no calls were made.",
	},
	"ja": {
		"stats.summary":              "{{.from}}から{{.to}}まで（{{.zone}}）のインシデント（失敗したWebhookリクエスト）は{{num .total}}件です（通話{{num .calls}}件、メッセージ{{num .messages}}件、その他{{num .other}}件）。",
		"stats.none":                 "{{.from}}から{{.to}}まで（{{.zone}}）インシデントはありません。",
		"stats.first_last":           "最初のインシデントは{{.first}}、最後は{{.last}}です（{{.zone}}{{if ne .zone `UTC`}}。UTCでは{{.first_utc}}〜{{.last_utc}}{{end}}）。",
		"stats.rate":                 "利用量の分かるUTCの{{num .days}}日間（{{.first_day}}{{if ne .first_day .last_day}}〜{{.last_day}}{{end}}）では、通話とメッセージ{{num .traffic}}件中{{num .incidents}}件が失敗しました。エラー率は{{pct .rate}}です。",
		"stats.rate_no_usage":        "エラー率は不明です。この期間の利用量を取得できませんでした。",
		"stats.rate_no_full_day":     "エラー率は不明です。利用量の分かるUTCの丸一日が期間内にありません。",
		"stats.band":                 "インシデントの{{pct .share}}（{{num .total}}件中{{num .incidents}}件）が{{.from_hour}}〜{{.to_hour}}（{{.zone}}）に発生しました。1日のうち最も多い{{.hours}}時間帯です。",
		"stats.burst":                "{{span .span_seconds}}以内に{{num .min}}件以上のインシデントが集中したことが1回あります。{{.start}}から{{.end}}まで（{{.zone}}）に{{num .largest}}件でした。",
		"stats.bursts":               "{{span .span_seconds}}以内に{{num .min}}件以上のインシデントが集中したことが{{num .bursts}}回あります。最大は{{.start}}から{{.end}}まで（{{.zone}}）の{{num .largest}}件です。",
		"stats.no_bursts":            "{{span .span_seconds}}以内に{{num .min}}件以上のインシデントが集中したことはありません。",
		"stats.dominant_code":        "インシデントの{{pct .share}}（{{num .total}}件中{{num .incidents}}件）がエラー{{.key}}です。",
		"stats.dominant_host":        "インシデントの{{pct .share}}（{{num .total}}件中{{num .incidents}}件）がホスト{{.key}}へのリクエストです。",
		"stats.dominant_url":         "インシデントの{{pct .share}}（{{num .total}}件中{{num .incidents}}件）が{{.key}}へのリクエストです。",
		"stats.spread_code":          "半数を超えるエラーコードはありません。最も多い{{.key}}で{{pct .share}}（{{num .total}}件中{{num .incidents}}件）です。",
		"stats.spread_host":          "半数を超えるホストはありません。最も多い{{.key}}で{{pct .share}}（{{num .total}}件中{{num .incidents}}件）です。",
		"stats.spread_url":           "半数を超えるURLはありません。最も多い{{.key}}で{{pct .share}}（{{num .total}}件中{{num .incidents}}件）です。",
		"stats.probes_aligned":       "インシデントのあった時間帯のうちプローブを実施した{{num .incident_hours}}時間中{{num .both}}時間でプローブも失敗し、プローブが失敗した{{num .failed_hours}}時間中{{num .both}}時間にインシデントがありました。失敗の時間帯が一致しています。",
		"stats.probes_not_aligned":   "インシデントのあった時間帯のうちプローブを実施した{{num .incident_hours}}時間中{{num .ok_hours}}時間ではプローブが成功しました。失敗の時間帯はプローブの失敗と一致していません。",
		"stats.probes_no_overlap":    "インシデントのあった時間帯にはプローブを実施していません（{{num .probed_hours}}時間に{{num .probes}}回）。",
		"stats.trend.up":             "インシデントは前の{{span .seconds}}より{{pct .change}}増えました（{{num .previous}}件から{{num .current}}件）。",
		"stats.trend.down":           "インシデントは前の{{span .seconds}}より{{pct .change}}減りました（{{num .previous}}件から{{num .current}}件）。",
		"stats.trend.same":           "インシデントは前の{{span .seconds}}と同じ{{num .current}}件です。",
		"stats.trend.from_zero":      "前の{{span .seconds}}は0件でしたが、今回は{{num .current}}件です。",
		"stats.trend.length_differs": "今回の期間（{{span .seconds}}）は{{num .current}}件、前回の期間（{{span .previous_seconds}}）は{{num .previous}}件です。期間の長さが異なるため増減は示しません。",
		"stats.trend.code_new":       "エラー{{.key}}は新たに発生しました（前の期間0件、今回{{num .current}}件）。",
		"stats.trend.code_up":        "エラー{{.key}}は{{pct .change}}増えました（{{num .previous}}件から{{num .current}}件）。",
		"stats.trend.code_down":      "エラー{{.key}}は{{pct .change}}減りました（{{num .previous}}件から{{num .current}}件）。",
		"stats.trend.code_gone":      "エラー{{.key}}は発生しませんでした（前の期間は{{num .previous}}件）。",
		"stats.trend.code_same":      "エラー{{.key}}は前の期間と同じ{{num .current}}件です。",
		"stats.trend.rate":           "エラー率は{{pct .current}}でした（前の期間は{{pct .previous}}）。",
		"stats.unavailable":          "頻度の統計を計算できませんでした（{{.reason}}）。",
		"stats.trend_unavailable":    "前の期間との比較はできませんでした（{{.reason}}）。",
		"stats.only_one":             "インシデントは{{.first}}の1件だけです（{{.zone}}{{if ne .zone `UTC`}}。UTCでは{{.first_utc}}{{end}}）。",
		"stats.outside_window":       "渡されたインシデントのうち{{num .outside}}件は期間外のため数えていません。",
		"stats.rate_calls_messages":  "同じ日の種類別では、通話の{{pct .call_rate}}（{{num .calls}}件中{{num .call_incidents}}件）、メッセージの{{pct .message_rate}}（{{num .messages}}件中{{num .message_incidents}}件）が失敗しました。",
		"stats.rate_calls_only":      "同じ日の種類別では、通話の{{pct .call_rate}}（{{num .calls}}件中{{num .call_incidents}}件）が失敗しました。メッセージの送受信はありませんでした。",
		"stats.rate_messages_only":   "同じ日の種類別では、メッセージの{{pct .message_rate}}（{{num .messages}}件中{{num .message_incidents}}件）が失敗しました。通話はありませんでした。",
	},
}

// weekdayNames are the weekday names per language, Sunday first.
var weekdayNames = map[string][7]string{
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	"ja": {"日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"},
}

// spanUnits are the words of the span function per language: day, days,
// hour, hours, minute, minutes, second, seconds.
var spanUnits = map[string][8]string{
	"en": {" day", " days", " hour", " hours", " minute", " minutes", " second", " seconds"},
	"ja": {"日間", "日間", "時間", "時間", "分", "分", "秒", "秒"},
}

// Languages lists the languages the sentences exist in.
func Languages() []string {
	out := make([]string, 0, len(catalog))
	for l := range catalog {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Sentence renders the sentence of finding id in lang from its figures, as
// stored in a Finding (or read back from summary.json).
func Sentence(id, lang string, figures map[string]any) (string, error) {
	texts, ok := catalog[lang]
	if !ok {
		return "", fmt.Errorf("sentence %s: language %q: want one of %v", id, lang, Languages())
	}
	text, ok := texts[id]
	if !ok {
		return "", fmt.Errorf("sentence %s: no %s text", id, lang)
	}
	t, err := template.New(id).Option("missingkey=error").Funcs(Funcs(lang)).Parse(text)
	if err != nil {
		return "", fmt.Errorf("sentence %s (%s): %w", id, lang, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, figures); err != nil {
		return "", fmt.Errorf("sentence %s (%s): %w", id, lang, err)
	}
	return b.String(), nil
}

// Funcs are the functions of the sentences in lang, for any catalog of
// sentences over figures: num, pct, span, plural and count (see catalog).
func Funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"num":    formatNum,
		"pct":    formatPct,
		"span":   func(v any) (string, error) { return formatSpan(v, lang) },
		"plural": plural,
		"count": func(v any, one, many string) (string, error) {
			n, err := formatNum(v)
			if err != nil {
				return "", err
			}
			w, err := plural(v, one, many)
			return n + " " + w, err
		},
	}
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		return x, nil
	case *float64:
		if x != nil {
			return *x, nil
		}
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// plural picks one when v is 1, many otherwise.
func plural(v any, one, many string) (string, error) {
	f, err := toFloat(v)
	if err != nil {
		return "", err
	}
	if f == 1 {
		return one, nil
	}
	return many, nil
}

// formatNum writes a number with thousands separators: 1234567 → 1,234,567;
// fractions keep up to two decimals.
func formatNum(v any) (string, error) {
	f, err := toFloat(v)
	if err != nil {
		return "", err
	}
	neg := f < 0
	f = math.Abs(f)
	whole := math.Floor(f)
	digits := strconv.FormatFloat(whole, 'f', 0, 64)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac := f - whole; frac > 0.005 {
		s := strconv.FormatFloat(frac, 'f', 2, 64)
		b.WriteString(strings.TrimRight(s[1:], "0"))
	}
	return b.String(), nil
}

// formatPct writes a share as a percentage: 0.42 → 42%, 0.042 → 4.2%,
// 0.0042 → 0.42%.
func formatPct(v any) (string, error) {
	f, err := toFloat(v)
	if err != nil {
		return "", err
	}
	p := math.Abs(f * 100)
	prec := 0
	switch {
	case p == 0:
	case p < 1:
		prec = 2
	case p < 10:
		prec = 1
	}
	return strconv.FormatFloat(p, 'f', prec, 64) + "%", nil
}

// formatSpan writes a length in seconds in the largest whole unit.
func formatSpan(v any, lang string) (string, error) {
	f, err := toFloat(v)
	if err != nil {
		return "", err
	}
	u := spanUnits[lang]
	sec := int64(f)
	word := func(n int64, one, many string) string {
		if n == 1 {
			return "1" + one
		}
		s, _ := formatNum(n)
		return s + many
	}
	switch {
	case sec > 0 && sec%secondsPerDay == 0:
		return word(sec/secondsPerDay, u[0], u[1]), nil
	case sec > 0 && sec%secondsPerHour == 0:
		return word(sec/secondsPerHour, u[2], u[3]), nil
	case sec > 0 && sec%60 == 0:
		return word(sec/60, u[4], u[5]), nil
	}
	return word(sec, u[6], u[7]), nil
}

// InLang returns s with its sentences in lang: a copy whose Lang and
// Findings are lang's, sharing everything else with s (which is left as it
// is). It fails on a language without sentences.
func (s *Stats) InLang(lang string) (*Stats, error) {
	if lang == "" {
		lang = "en"
	}
	if _, ok := catalog[lang]; !ok {
		return nil, fmt.Errorf("statistics in %q: want one of %v", lang, Languages())
	}
	c := *s
	c.Lang = lang
	c.Findings = make([]Finding, len(s.Findings))
	for i, f := range s.Findings {
		text, err := Sentence(f.ID, lang, f.Figures)
		if err != nil {
			return nil, err
		}
		f.Sentence = text
		c.Findings[i] = f
	}
	return &c, nil
}
