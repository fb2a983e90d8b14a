package pdfdoc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect/infile"
)

// ErrNoCJKFont is returned when text needs a Japanese font and none was
// found. Its message tells the reader how to get one.
var ErrNoCJKFont = errors.New("no Japanese TrueType font found: install one " +
	"(Debian/Ubuntu: apt install fonts-ipaexfont-gothic) or give one with --font PATH")

// ErrCFFFont is returned for an OpenType font with PostScript (CFF)
// outlines, which the PDF writer cannot embed: it needs TrueType outlines.
var ErrCFFFont = errors.New("font has PostScript (CFF) outlines; the PDF writer " +
	"needs a TrueType font with glyf outlines, such as IPAex Gothic " +
	"(apt install fonts-ipaexfont-gothic)")

// FontsEnv names the environment variable that, when set, replaces the
// places DefaultCJKFontPaths searches: a list of font files separated like
// PATH (':', or ';' on Windows). Set to a file that does not exist, it
// hides every Japanese font of the system.
const FontsEnv = "TWILIO_EVIDENCE_FONTS"

// DefaultCJKFontPaths returns the places searched, in order, for a Japanese
// TrueType font when none is given explicitly: the files of TWILIO_EVIDENCE_FONTS when
// it is set; otherwise IPAex and IPA Gothic on Debian, Ubuntu and Fedora,
// Noto Sans CJK/JP in TrueType form, and the Japanese fonts that come with
// macOS and Windows.
func DefaultCJKFontPaths() []string {
	if list, ok := os.LookupEnv(FontsEnv); ok {
		return filepath.SplitList(list)
	}
	return []string{
		"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
		"/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
		"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
		"/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
		"/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
		"/usr/share/fonts/ipa-ex-gothic/ipaexg.ttf",
		"/usr/share/fonts/ipa-gothic/ipag.ttf",
		"/usr/share/fonts/ipa-gothic-fonts/ipag.ttf",
		"/usr/share/fonts/truetype/noto/NotoSansCJKjp-Regular.ttf",
		"/usr/share/fonts/truetype/noto/NotoSansJP-Regular.ttf",
		"/usr/share/fonts/google-noto-sans-cjk-ttc/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
		"/Library/Fonts/Arial Unicode.ttf",
		"/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
		"/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
		"/Library/Fonts/Osaka.ttf",
		`C:\Windows\Fonts\meiryo.ttc`,
		`C:\Windows\Fonts\YuGothR.ttc`,
		`C:\Windows\Fonts\msgothic.ttc`,
		`C:\Windows\Fonts\ARIALUNI.TTF`,
	}
}

// fontFace is one TrueType font ready for the PDF writer: standalone TTF
// bytes (a collection already reduced to its first face) and its Unicode
// character map, to answer which characters it covers.
type fontFace struct {
	path  string
	ttf   []byte
	cmap  []byte // the format 4 subtable gofpdf reads
	cover map[rune]bool
}

// newFontFace checks data (a TTF or a TTC) and prepares it for embedding.
func newFontFace(path string, data []byte) (*fontFace, error) {
	ttf, err := standaloneTTF(data)
	if err != nil {
		return nil, err
	}
	if err := checkTrueType(ttf); err != nil {
		return nil, err
	}
	_, recs, err := readTableDir(ttf, 0)
	if err != nil {
		return nil, err
	}
	var sub []byte
	for _, r := range recs {
		if r.tag == "cmap" {
			sub = unicodeBMPCmap(ttf[r.offset : r.offset+r.length])
		}
	}
	return &fontFace{path: path, ttf: ttf, cmap: sub, cover: map[rune]bool{}}, nil
}

// maxFontBytes bounds a font file: Noto Sans CJK's collection and Arial
// Unicode, the largest searched, are some 20 MB.
const maxFontBytes = 32 << 20

// loadFontFile reads and checks the font at path.
func loadFontFile(path string) (*fontFace, error) {
	data, err := infile.ReadFile(path, infile.Limits{MaxBytes: maxFontBytes})
	if err != nil {
		return nil, fmt.Errorf("read font: %w", err)
	}
	face, err := newFontFace(path, data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	return face, nil
}

// FindCJKFont returns the path of the Japanese font a Document uses when
// none is given explicitly, or an error wrapping ErrNoCJKFont.
func FindCJKFont() (string, error) {
	face, err := findCJKFont("", DefaultCJKFontPaths())
	if err != nil {
		return "", err
	}
	return face.path, nil
}

// findCJKFont loads the explicit font when one is given, else the first
// usable font among candidates. Without an explicit font, the returned error
// wraps ErrNoCJKFont and says why each existing candidate was skipped.
func findCJKFont(explicit string, candidates []string) (*fontFace, error) {
	if explicit != "" {
		return loadFontFile(explicit)
	}
	var skipped []string
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		face, err := loadFontFile(p)
		if err == nil {
			return face, nil
		}
		skipped = append(skipped, err.Error())
	}
	if len(skipped) > 0 {
		return nil, fmt.Errorf("%w (skipped: %s)", ErrNoCJKFont, strings.Join(skipped, "; "))
	}
	return nil, ErrNoCJKFont
}

// covers reports whether the font has a glyph for r that the PDF writer can
// use: gofpdf reads only the BMP part of a font's character map.
func (f *fontFace) covers(r rune) bool {
	if r > 0xFFFF {
		return false
	}
	if c, ok := f.cover[r]; ok {
		return c
	}
	c := cmap4Glyph(f.cmap, uint16(r)) != 0
	f.cover[r] = c
	return c
}

const (
	tagTTC      = 0x74746366 // "ttcf"
	tagOTTO     = 0x4F54544F // "OTTO": OpenType with CFF outlines
	tagTrue     = 0x74727565 // "true": Apple TrueType
	sfntVersion = 0x00010000 // TrueType outlines
)

// tableRecord is one entry of an sfnt table directory.
type tableRecord struct {
	tag      string
	checksum uint32
	offset   uint32
	length   uint32
}

// readTableDir reads the table directory found at off in data, checking that
// every table lies inside data.
func readTableDir(data []byte, off uint32) (uint32, []tableRecord, error) {
	if uint64(off)+12 > uint64(len(data)) {
		return 0, nil, errors.New("truncated font header")
	}
	version := binary.BigEndian.Uint32(data[off:])
	n := int(binary.BigEndian.Uint16(data[off+4:]))
	if uint64(off)+12+uint64(n)*16 > uint64(len(data)) {
		return 0, nil, errors.New("truncated table directory")
	}
	recs := make([]tableRecord, n)
	for i := range recs {
		p := off + 12 + uint32(i)*16
		recs[i] = tableRecord{
			tag:      string(data[p : p+4]),
			checksum: binary.BigEndian.Uint32(data[p+4:]),
			offset:   binary.BigEndian.Uint32(data[p+8:]),
			length:   binary.BigEndian.Uint32(data[p+12:]),
		}
		if uint64(recs[i].offset)+uint64(recs[i].length) > uint64(len(data)) {
			return 0, nil, fmt.Errorf("table %q lies outside the file", recs[i].tag)
		}
	}
	return version, recs, nil
}

// standaloneTTF returns data itself for a single font, and for a TrueType
// collection (.ttc) a standalone font built from its first face: the face's
// tables are copied after a new table directory whose offsets point at them.
func standaloneTTF(data []byte) ([]byte, error) {
	if len(data) < 12 {
		return nil, errors.New("not a font: file too short")
	}
	switch binary.BigEndian.Uint32(data) {
	case sfntVersion, tagTrue:
		return data, nil
	case tagOTTO:
		return nil, ErrCFFFont
	case tagTTC:
	default:
		return nil, errors.New("not a TrueType font or collection")
	}
	if binary.BigEndian.Uint32(data[8:]) == 0 {
		return nil, errors.New("font collection holds no font")
	}
	first := binary.BigEndian.Uint32(data[12:])
	version, recs, err := readTableDir(data, first)
	if err != nil {
		return nil, fmt.Errorf("first face of collection: %w", err)
	}
	if version == tagOTTO {
		return nil, ErrCFFFont
	}
	if version != sfntVersion && version != tagTrue {
		return nil, errors.New("first face of collection is not a TrueType font")
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].tag < recs[j].tag })
	n := len(recs)
	size := 12 + 16*n
	for _, r := range recs {
		size += int(r.length+3) &^ 3
	}
	out := make([]byte, size)
	copy(out, data[first:first+12])
	pos := uint32(12 + 16*n)
	for i, r := range recs {
		p := 12 + 16*i
		copy(out[p:], r.tag)
		binary.BigEndian.PutUint32(out[p+4:], r.checksum)
		binary.BigEndian.PutUint32(out[p+8:], pos)
		binary.BigEndian.PutUint32(out[p+12:], r.length)
		copy(out[pos:], data[r.offset:r.offset+r.length])
		pos += (r.length + 3) &^ 3
	}
	return out, nil
}

// checkTrueType checks what gofpdf's font parser needs before it sees the
// font: that parser prints to standard output and can crash on a font it
// does not understand, instead of returning an error.
func checkTrueType(ttf []byte) error {
	version, recs, err := readTableDir(ttf, 0)
	if err != nil {
		return err
	}
	if version == tagOTTO {
		return ErrCFFFont
	}
	if version != sfntVersion && version != tagTrue {
		return errors.New("not a TrueType font")
	}
	tables := map[string][]byte{}
	for _, r := range recs {
		tables[r.tag] = ttf[r.offset : r.offset+r.length]
	}
	if _, ok := tables["CFF "]; ok {
		if _, ok := tables["glyf"]; !ok {
			return ErrCFFFont
		}
	}
	for _, tag := range []string{"head", "hhea", "hmtx", "maxp", "cmap", "glyf", "loca", "name", "post"} {
		if _, ok := tables[tag]; !ok {
			return fmt.Errorf("font lacks the %q table", tag)
		}
	}
	head, hhea, name := tables["head"], tables["hhea"], tables["name"]
	if len(head) < 54 || len(hhea) < 36 || len(name) < 6 || len(tables["maxp"]) < 6 {
		return errors.New("font has truncated head, hhea, maxp or name table")
	}
	if binary.BigEndian.Uint16(head[18:]) == 0 {
		return errors.New("font has zero units per em")
	}
	if f := binary.BigEndian.Uint16(head[50:]); f > 1 {
		return fmt.Errorf("font has unknown loca format %d", f)
	}
	if binary.BigEndian.Uint16(head[52:]) != 0 {
		return errors.New("font has unknown glyph data format")
	}
	if binary.BigEndian.Uint16(hhea[32:]) != 0 || binary.BigEndian.Uint16(hhea[34:]) == 0 {
		return errors.New("font has unusable horizontal metrics")
	}
	if binary.BigEndian.Uint16(name) != 0 {
		return errors.New("font has a name table format the PDF writer cannot read")
	}
	if os2, ok := tables["OS/2"]; ok {
		if len(os2) < 10 {
			return errors.New("font has truncated OS/2 table")
		}
		if fsType := binary.BigEndian.Uint16(os2[8:]); fsType == 0x0002 || fsType&0x0300 != 0 {
			return errors.New("font's license does not allow embedding it in a PDF")
		}
	}
	if unicodeBMPCmap(tables["cmap"]) == nil {
		return errors.New("font has no Unicode character map (format 4)")
	}
	return nil
}

// unicodeBMPCmap returns the format 4 subtable for Unicode (platform 0, or
// platform 3 encoding 1) of a cmap table, the one gofpdf reads, or nil.
func unicodeBMPCmap(cmap []byte) []byte {
	if len(cmap) < 4 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	for i := 0; i < n; i++ {
		p := 4 + 8*i
		if p+8 > len(cmap) {
			return nil
		}
		platform := binary.BigEndian.Uint16(cmap[p:])
		encoding := binary.BigEndian.Uint16(cmap[p+2:])
		off := uint64(binary.BigEndian.Uint32(cmap[p+4:]))
		if platform != 0 && !(platform == 3 && encoding == 1) {
			continue
		}
		if off+14 > uint64(len(cmap)) || binary.BigEndian.Uint16(cmap[off:]) != 4 {
			continue
		}
		length := uint64(binary.BigEndian.Uint16(cmap[off+2:]))
		segs := uint64(binary.BigEndian.Uint16(cmap[off+6:]) / 2)
		end := min(off+length, uint64(len(cmap)))
		if off+16+8*segs > end {
			continue
		}
		return cmap[off:end]
	}
	return nil
}

// cmap4Glyph looks c up in a cmap format 4 subtable and returns its glyph
// index, 0 when the font has no glyph for it.
func cmap4Glyph(sub []byte, c uint16) uint16 {
	if len(sub) < 14 {
		return 0
	}
	segs := int(binary.BigEndian.Uint16(sub[6:]) / 2)
	if 16+8*segs > len(sub) {
		return 0
	}
	ends := 14
	starts := ends + 2*segs + 2
	deltas := starts + 2*segs
	ranges := deltas + 2*segs
	for i := 0; i < segs; i++ {
		if binary.BigEndian.Uint16(sub[ends+2*i:]) < c {
			continue
		}
		if binary.BigEndian.Uint16(sub[starts+2*i:]) > c {
			return 0
		}
		delta := binary.BigEndian.Uint16(sub[deltas+2*i:])
		ro := int(binary.BigEndian.Uint16(sub[ranges+2*i:]))
		if ro == 0 {
			return c + delta
		}
		p := ranges + 2*i + ro + 2*int(c-binary.BigEndian.Uint16(sub[starts+2*i:]))
		if p+2 > len(sub) {
			return 0
		}
		g := binary.BigEndian.Uint16(sub[p:])
		if g == 0 {
			return 0
		}
		return g + delta
	}
	return 0
}

// withGlyphFor returns a copy of ttf whose character map draws the
// character from with the glyph of the character like, leaving every other
// character as it was. The PDF's text layer still says from, so copied
// text is unchanged. The Go fonts draw the hyphen-minus as a minus sign,
// wider than their en dash ("2026–11–27"); their soft hyphen is the short
// hyphen a date, a host name or a flag needs. ttf is returned unchanged when
// its character map cannot be rebuilt.
func withGlyphFor(ttf []byte, from, like rune) []byte {
	_, recs, err := readTableDir(ttf, 0)
	if err != nil {
		return ttf
	}
	idx := -1
	for i, r := range recs {
		if r.tag == "cmap" {
			idx = i
		}
	}
	if idx < 0 {
		return ttf
	}
	sub := unicodeBMPCmap(ttf[recs[idx].offset : recs[idx].offset+recs[idx].length])
	glyph := cmap4Glyph(sub, uint16(like))
	if sub == nil || glyph == 0 || cmap4Glyph(sub, uint16(from)) == 0 {
		return ttf
	}
	glyphs := make([]uint16, 0xFFFF)
	for c := range glyphs {
		glyphs[c] = cmap4Glyph(sub, uint16(c))
	}
	glyphs[from] = glyph
	table := cmapTable(glyphs)
	if table == nil {
		return ttf
	}
	out := append([]byte(nil), ttf...)
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	rec := 12 + 16*idx
	binary.BigEndian.PutUint32(out[rec+8:], uint32(len(out)))
	binary.BigEndian.PutUint32(out[rec+12:], uint32(len(table)))
	return append(out, table...)
}

// cmapTable builds a cmap table with one Unicode BMP subtable (platform 3,
// encoding 1, format 4) mapping each code c to glyphs[c] (0: none). It
// returns nil when the subtable would not fit format 4's 16-bit length.
func cmapTable(glyphs []uint16) []byte {
	type segment struct{ start, end, delta uint16 }
	var segs []segment
	for c := 0; c < len(glyphs); c++ {
		if glyphs[c] == 0 {
			continue
		}
		delta := glyphs[c] - uint16(c)
		if n := len(segs); n > 0 && int(segs[n-1].end) == c-1 && segs[n-1].delta == delta {
			segs[n-1].end = uint16(c)
			continue
		}
		segs = append(segs, segment{uint16(c), uint16(c), delta})
	}
	segs = append(segs, segment{0xFFFF, 0xFFFF, 1}) // the closing segment
	n := len(segs)
	length := 16 + 8*n
	if length > 0xFFFF {
		return nil
	}
	searchRange, selector := 2, 0
	for searchRange*2 <= 2*n {
		searchRange *= 2
		selector++
	}
	b := make([]byte, 12+length)
	put := func(off, v int) { binary.BigEndian.PutUint16(b[off:], uint16(v)) }
	put(2, 1)  // one encoding record
	put(4, 3)  // platform Windows
	put(6, 1)  // encoding Unicode BMP
	b[11] = 12 // subtable offset
	s := b[12:]
	binary.BigEndian.PutUint16(s[0:], 4)
	binary.BigEndian.PutUint16(s[2:], uint16(length))
	binary.BigEndian.PutUint16(s[6:], uint16(2*n))
	binary.BigEndian.PutUint16(s[8:], uint16(searchRange))
	binary.BigEndian.PutUint16(s[10:], uint16(selector))
	binary.BigEndian.PutUint16(s[12:], uint16(2*n-searchRange))
	ends, starts := 14, 16+2*n
	deltas := starts + 2*n
	for i, sg := range segs {
		binary.BigEndian.PutUint16(s[ends+2*i:], sg.end)
		binary.BigEndian.PutUint16(s[starts+2*i:], sg.start)
		binary.BigEndian.PutUint16(s[deltas+2*i:], sg.delta)
	}
	return b
}
