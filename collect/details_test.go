package collect

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// pagesOf lists n incidents on two URLs, one an hour from the end of a
// 10-day window backwards (newest first, as Twilio lists them), in pages of
// size.
func pagesOf(w Window, n, size int) [][]Incident {
	var pages [][]Incident
	var page []Incident
	for i := 0; i < n; i++ {
		u := "https://a.example/voice"
		if i%4 == 3 {
			u = "https://b.example/sms"
		}
		page = append(page, Incident{AlertSID: fmt.Sprintf("NO%032d", i), Time: w.To.Add(-time.Duration(i+1) * time.Hour), URL: u})
		if len(page) == size {
			pages, page = append(pages, page), nil
		}
	}
	if len(page) > 0 {
		pages = append(pages, page)
	}
	return pages
}

// pick runs a picker over the pages and the complete list, returning the
// picks after each page and at the end.
func pick(w Window, max int, pages [][]Incident) (perPage []int, all []string) {
	p := newDetailPicker(max, w)
	var list []Incident
	for _, pg := range pages {
		all = append(all, p.page(pg)...)
		perPage = append(perPage, len(all))
		list = append(list, pg...)
	}
	sortIncidents(list)
	all = append(all, p.rest(list)...)
	return perPage, all
}

func TestDetailPicker_PicksAsThePagesArriveSpreadOverTheWindow(t *testing.T) {
	w := Window{From: testFrom, To: testFrom.Add(10 * 24 * time.Hour)}
	pages := pagesOf(w, 240, 24) // one page a day
	perPage, all := pick(w, 20, pages)
	// The first page covers a tenth of the window: two picks; each page
	// adds its share while later pages are still coming.
	if perPage[0] != 2 || perPage[4] != 10 || perPage[9] != 20 {
		t.Errorf("picks after each page = %v, want 2 after the first, 10 after the fifth, 20 after the last", perPage)
	}
	if len(all) != 20 {
		t.Fatalf("%d picks, want 20 (the budget)", len(all))
	}
	seen, b := map[string]bool{}, 0
	for _, sid := range all {
		if seen[sid] {
			t.Errorf("%s picked twice", sid)
		}
		seen[sid] = true
	}
	for _, pg := range pages {
		inPage := 0
		for _, inc := range pg {
			if seen[inc.AlertSID] {
				inPage++
				if strings.Contains(inc.URL, "b.example") {
					b++
				}
			}
		}
		if inPage != 2 {
			t.Errorf("page of %s holds %d picks, want 2: spread over the whole window", pg[0].Time.Format(time.DateOnly), inPage)
		}
	}
	if b != 10 {
		t.Errorf("%d picks on the second URL, want 10 (half: URLs share the budget)", b)
	}
	if _, again := pick(w, 20, pages); !slices.Equal(again, all) {
		t.Error("the same list gave other picks")
	}
}

func TestDetailPicker_ABurstAtTheEndOfTheListIsPickedWhenComplete(t *testing.T) {
	w := Window{From: testFrom, To: testFrom.Add(10 * 24 * time.Hour)}
	// 30 incidents, all within the last day and a quarter: the first page
	// covers little of the window, the rest comes once the list is complete.
	perPage, all := pick(w, 20, pagesOf(w, 30, 10))
	if perPage[len(perPage)-1] > 3 || len(all) != 20 {
		t.Errorf("picks after the pages %v, %d in all; want few while the list comes, 20 in all", perPage, len(all))
	}
	// Fewer incidents than the budget: every one is picked.
	if _, all := pick(w, 200, pagesOf(w, 30, 10)); len(all) != 30 {
		t.Errorf("%d picks of 30 incidents with a budget of 200, want all 30", len(all))
	}
}
