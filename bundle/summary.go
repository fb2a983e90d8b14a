package bundle

import (
	"fmt"
	"io"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// writeSummaryPDF renders summary.pdf: page 1 answers step 4 of the guide
// in its order — account, affected SIDs, findings — then collector status.
func writeSummaryPDF(w io.Writer, ev *collect.Evidence, findings []Finding) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(ev.GeneratedAt)
	pdf.SetModificationDate(ev.GeneratedAt)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetTitle("twilio-evidence summary "+ev.Account.SID, true)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	h := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("go", "B", 13)
		pdf.MultiCell(0, 7, s, "", "L", false)
		pdf.SetFont("go", "", 10)
	}
	p := func(s string) { pdf.MultiCell(0, 5, s, "", "L", false) }

	pdf.SetFont("go", "B", 16)
	pdf.MultiCell(0, 9, "Webhook failure evidence", "", "L", false)
	pdf.SetFont("go", "", 10)
	if Incomplete(ev) {
		pdf.SetFillColor(200, 30, 30)
		pdf.SetTextColor(255, 255, 255)
		pdf.MultiCell(0, 7, "INCOMPLETE: at least one collector did not finish (see Collector status).", "", "L", true)
		pdf.SetTextColor(0, 0, 0)
	}
	p(fmt.Sprintf("Window: %s to %s (UTC)", ev.Window.From.UTC().Format(time.RFC3339), ev.Window.To.UTC().Format(time.RFC3339)))

	h("1. Account SID")
	p(ev.Account.SID + " " + ev.Account.FriendlyName)

	h("2. Affected calls and messages")
	p(fmt.Sprintf("%d failed webhook requests (full list in incidents.csv).", len(ev.Incidents)))
	for _, inc := range ev.Incidents[:min(len(ev.Incidents), 10)] {
		p(fmt.Sprintf("%s  %s  %s  %s", inc.Time.UTC().Format("2006-01-02 15:04:05"), inc.ErrorCode, inc.ResourceSID, inc.URL))
	}

	h("Findings")
	for _, f := range findings {
		p(fmt.Sprintf("[%s] %s", f.Severity, f.Verdict))
	}

	h("Collector status")
	for _, c := range ev.Collectors {
		line := c.Name + ": " + c.State
		if c.Reason != "" {
			line += " — " + c.Reason
		}
		p(line)
	}
	return pdf.Output(w)
}
