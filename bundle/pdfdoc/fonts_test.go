package pdfdoc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// buildTTC makes a TrueType collection of the given fonts: each font is
// copied whole after the collection header, its table offsets moved by
// where it now starts.
func buildTTC(t *testing.T, fonts ...[]byte) []byte {
	t.Helper()
	head := 12 + 4*len(fonts)
	out := make([]byte, head)
	copy(out, "ttcf")
	binary.BigEndian.PutUint32(out[4:], 0x00010000)
	binary.BigEndian.PutUint32(out[8:], uint32(len(fonts)))
	for i, f := range fonts {
		base := uint32(len(out))
		binary.BigEndian.PutUint32(out[12+4*i:], base)
		moved := bytes.Clone(f)
		n := int(binary.BigEndian.Uint16(moved[4:]))
		for j := 0; j < n; j++ {
			p := 12 + 16*j + 8
			binary.BigEndian.PutUint32(moved[p:], binary.BigEndian.Uint32(moved[p:])+base)
		}
		out = append(out, moved...)
	}
	return out
}

// tables maps each table tag of a standalone font to its bytes.
func tables(t *testing.T, ttf []byte) map[string][]byte {
	t.Helper()
	_, recs, err := readTableDir(ttf, 0)
	if err != nil {
		t.Fatalf("read table directory: %v", err)
	}
	m := map[string][]byte{}
	for _, r := range recs {
		m[r.tag] = ttf[r.offset : r.offset+r.length]
	}
	return m
}

func TestStandaloneTTF_ExtractsFirstFaceOfCollection(t *testing.T) {
	ttc := buildTTC(t, goregular.TTF, gobold.TTF)
	got, err := standaloneTTF(ttc)
	if err != nil {
		t.Fatalf("standaloneTTF: %v", err)
	}
	want := tables(t, goregular.TTF)
	have := tables(t, got)
	if len(have) != len(want) {
		t.Fatalf("extracted font has %d tables, want %d", len(have), len(want))
	}
	for tag, data := range want {
		if !bytes.Equal(have[tag], data) {
			t.Errorf("table %q differs from the first face's", tag)
		}
	}
	if err := checkTrueType(got); err != nil {
		t.Errorf("extracted font does not pass the TrueType check: %v", err)
	}
}

// cffFont is the start of an OpenType font with CFF outlines.
func cffFont() []byte {
	b := make([]byte, 12)
	copy(b, "OTTO")
	return b
}

func TestFontLoading_Errors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cffTTC := make([]byte, 16)
	copy(cffTTC, "ttcf")
	binary.BigEndian.PutUint32(cffTTC[8:], 1)
	binary.BigEndian.PutUint32(cffTTC[12:], 16)
	cffTTC = append(cffTTC, cffFont()...)
	truncated := bytes.Clone(goregular.TTF[:2000])
	tests := []struct {
		name    string
		path    string
		wantIs  error
		wantMsg string
	}{
		{"CFF OpenType font is refused clearly", write("cff.otf", cffFont()), ErrCFFFont, "CFF"},
		{"collection whose first face is CFF is refused clearly", write("cff.ttc", cffTTC), ErrCFFFont, "CFF"},
		{"file that is not a font", write("x.ttf", []byte("this is not a font at all")), nil, "not a TrueType font"},
		{"truncated font", write("t.ttf", truncated), nil, "outside the file"},
		{"missing file", filepath.Join(dir, "none.ttf"), os.ErrNotExist, "read font"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{FontPath: tt.path})
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestNew_LoadsCollectionGivenWithFontPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "go.ttc")
	if err := os.WriteFile(p, buildTTC(t, goregular.TTF, gobold.TTF), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{FontPath: p})
	if err != nil {
		t.Fatalf("New with a .ttc: %v", err)
	}
	if d.CJKFont() != p {
		t.Errorf("CJKFont() = %q, want %q", d.CJKFont(), p)
	}
}

func TestMissingJapaneseFont(t *testing.T) {
	noFonts := []string{filepath.Join(t.TempDir(), "absent.ttf")}
	t.Run("japanese text fails with how to get a font", func(t *testing.T) {
		d, err := New(Options{CJKFontPaths: noFonts})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		d.Heading(1, "Summary")
		d.Paragraph("着信するとIVRで用件を選んでもらいます。")
		err = d.Render(&bytes.Buffer{})
		if !errors.Is(err, ErrNoCJKFont) {
			t.Fatalf("Render error = %v, want ErrNoCJKFont", err)
		}
		for _, want := range []string{"apt install fonts-ipaexfont-gothic", "--font PATH", "paragraph"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})
	t.Run("RequireCJK fails at once", func(t *testing.T) {
		_, err := New(Options{CJKFontPaths: noFonts, RequireCJK: true})
		if !errors.Is(err, ErrNoCJKFont) {
			t.Fatalf("New error = %v, want ErrNoCJKFont", err)
		}
	})
	t.Run("english text needs no japanese font", func(t *testing.T) {
		d, err := New(Options{CJKFontPaths: noFonts})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		d.Paragraph("Café – naïve “quotes” and an emoji 🙂 that no font has")
		var b bytes.Buffer
		if err := d.Render(&b); err != nil {
			t.Fatalf("Render: %v", err)
		}
	})
	t.Run("an unusable candidate is named in the error", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "cff.otf")
		if err := os.WriteFile(p, cffFont(), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := New(Options{CJKFontPaths: []string{p}, RequireCJK: true})
		if !errors.Is(err, ErrNoCJKFont) || !strings.Contains(err.Error(), p) {
			t.Fatalf("New error = %v, want ErrNoCJKFont naming %s", err, p)
		}
	})
}

func TestCmap4Glyph_MatchesCoverage(t *testing.T) {
	f, err := newFontFace("", goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		r    rune
		want bool
	}{{'A', true}, {'é', true}, {'–', true}, {'…', true}, {'あ', false}, {'漢', false}, {0x1F642, false}} {
		if got := f.covers(tt.r); got != tt.want {
			t.Errorf("covers(%q) = %v, want %v", tt.r, got, tt.want)
		}
	}
}
