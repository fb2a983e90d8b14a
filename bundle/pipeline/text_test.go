package pipeline

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

func TestText_JapaneseWithoutAFontCannotRun(t *testing.T) {
	_, err := Text{Lang: "ja", CJKFontPaths: []string{filepath.Join(t.TempDir(), "none.ttf")}}.prepare()
	if runerr.KindOf(err) != runerr.Pointless || !errors.Is(err, pdfdoc.ErrNoCJKFont) {
		t.Fatalf("got %v, want a run that cannot work here, wrapping ErrNoCJKFont", err)
	}
	for _, w := range []string{"apt install fonts-ipaexfont-gothic", "--font"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
	if _, err := (Text{Lang: "en", CJKFontPaths: []string{}}).prepare(); err != nil {
		t.Errorf("English needs no Japanese font, got %v", err)
	}
}

func TestText_UnknownLanguageAndMissingFilesAreUsageErrors(t *testing.T) {
	for name, tx := range map[string]Text{
		"language": {Lang: "de"},
		"flow":     {Lang: "en", Flow: filepath.Join(t.TempDir(), "flow.md")},
		"font":     {Lang: "en", Font: filepath.Join(t.TempDir(), "font.ttf")},
	} {
		if _, err := tx.prepare(); runerr.KindOf(err) != runerr.Usage {
			t.Errorf("%s: got %v, want a usage error", name, err)
		}
	}
}
