package subaccounts

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
)

// writeCSV writes the index as CSV, one row per subaccount.
func writeCSV(p *bundle.Partials, path string, rows []Row) error {
	var b bytes.Buffer
	if err := csvsafe.Marshal(rows, &b); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return p.WriteFile(path, b.Bytes())
}

// writePDF writes the one-page ranking.
func writePDF(p *bundle.Partials, path string, res *Result, tool collect.Tool) error {
	d, err := pdfdoc.New(pdfdoc.Options{
		Title: "twilio-evidence subaccount index " + res.Parent, Created: res.Window.To,
		FooterLeft: "twilio-evidence " + tool.Version, FooterRight: res.Parent,
	})
	if err != nil {
		return fmt.Errorf("index PDF: %w", err)
	}
	counts, total := res.Counts()
	d.Heading(1, "Webhook failures by subaccount")
	d.KeyValue("Parent account", res.Parent)
	d.KeyValue("Window", fmt.Sprintf("%s to %s (%s)", res.Window.From.Format("2006-01-02 15:04"), res.Window.To.Format("2006-01-02 15:04"), res.Window.TZ))
	d.KeyValue("Subaccounts", fmt.Sprintf("%d: %d complete, %d incomplete, %d failed, %d skipped; %d webhook failures in all",
		len(res.Accounts), counts[OK], counts[Incomplete], counts[Failed], counts[Skipped], total))
	if counts[Failed] > 0 {
		d.Banner(fmt.Sprintf("%d subaccounts could not be collected: see the reason column and %s", counts[Failed], filepath.Base(res.IndexCSV)))
	}
	d.Paragraph("Ranked by webhook failures, then by error rate (failures over calls and messages). Each subaccount's bundle holds its evidence and summary.")
	t := pdfdoc.Table{Columns: []pdfdoc.Column{
		{Title: "#", Width: 0.5, AlignRight: true}, {Title: "Subaccount", Width: 3.2}, {Title: "Name", Width: 2},
		{Title: "Failures", Width: 1, AlignRight: true}, {Title: "Error rate", Width: 1.1, AlignRight: true}, {Title: "Status / reason", Width: 3},
	}}
	for _, r := range res.Accounts {
		rate := "unknown"
		if r.numbers.rate != nil {
			rate = strconv.FormatFloat(*r.numbers.rate*100, 'f', 2, 64) + "%"
		}
		inc := r.Incidents
		if !r.numbers.has {
			inc, rate = "—", "—"
		}
		status := string(r.Status)
		if r.Reason != "" {
			status += ": " + r.Reason
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(r.Rank), r.AccountSID, r.FriendlyName, inc, rate, status})
	}
	d.Table(t)
	var b bytes.Buffer
	if err := d.Render(&b); err != nil {
		return fmt.Errorf("index PDF: %w", err)
	}
	return p.WriteFile(path, b.Bytes())
}
