package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for v, want := range map[string]string{
		"=cmd|' /C calc'!A0":        "'=cmd|' /C calc'!A0",
		"+14155550100":              "'+14155550100",
		"-2+3+cmd|' /C calc'!A0":    "'-2+3+cmd|' /C calc'!A0",
		"@SUM(1+1)":                 "'@SUM(1+1)",
		"\t=1":                      "'\t=1",
		"\r=1":                      "'\r=1",
		"'=1":                       "''=1",
		"-1":                        "-1",
		"-0.25":                     "-0.25",
		"-":                         "'-",
		"https://app.example/voice": "https://app.example/voice",
		"'quoted'":                  "'quoted'",
		"":                          "",
		"a=b":                       "a=b",
	} {
		if got := Cell(v); got != want {
			t.Errorf("Cell(%q) = %q, want %q", v, got, want)
		}
		if back := Uncell(Cell(v)); back != v {
			t.Errorf("Uncell(Cell(%q)) = %q", v, back)
		}
	}
}

type row struct {
	URL     string `csv:"url"`
	Message string `csv:"message"`
	Change  int    `csv:"change"`
}

func TestMarshal_OpensAsTextAndReadsBack(t *testing.T) {
	rows := []row{
		{URL: "=HYPERLINK(\"http://evil.example\")", Message: "+1415 calls", Change: -3},
		{URL: "-1+1", Message: "@SUM(A1)", Change: 2},
	}
	var b bytes.Buffer
	if err := Marshal(rows, &b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		for i, cell := range rec[:2] {
			if cell[0] != '\'' {
				t.Errorf("column %d cell %q does not open as text", i, cell)
			}
		}
	}
	if recs[1][2] != "-3" {
		t.Errorf("negative number written as %q", recs[1][2])
	}
	var back []row
	if err := Unmarshal(bytes.NewReader(b.Bytes()), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0] != rows[0] || back[1] != rows[1] {
		t.Errorf("read back %+v, want %+v", back, rows)
	}
	var more bytes.Buffer
	if err := MarshalWithoutHeaders(rows[:1], &more); err != nil || !bytes.HasPrefix(more.Bytes(), []byte(`"'=HYPERLINK`)) {
		t.Errorf("MarshalWithoutHeaders = %q, %v", more.String(), err)
	}
}

func FuzzCell(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "''+", "-1", "-", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c := Cell(v)
		if Uncell(c) != v {
			t.Fatalf("Uncell(Cell(%q)) = %q", v, Uncell(c))
		}
		if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '@' || c[0] == '\t' || c[0] == '\r' || (c[0] == '-' && !negativeNumber(c))) {
			t.Fatalf("Cell(%q) = %q starts with a formula character", v, c)
		}
	})
}
