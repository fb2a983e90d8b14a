package pipeline

import (
	"errors"
	"fmt"
	"slices"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// Text shapes the bundle's texts: the language, the PDF's Japanese font
// and the customer's flow description.
type Text struct {
	// Lang is en or ja; Font a Japanese TrueType font; Flow the path of
	// the edited flow description.
	Lang, Font, Flow string
	// CJKFontPaths are where a Japanese font is looked for; nil means the
	// usual places of each system.
	CJKFontPaths []string
}

// maxFlowBytes bounds the flow description, a text written by hand.
const maxFlowBytes = 1 << 20

// textInputs are the checked language, font and flow.
type textInputs struct {
	lang, font string
	flow       []byte
}

// prepare checks the options before anything is collected: an unknown
// language, an unreadable flow or an unusable font is a usage error;
// Japanese with no Japanese font on the system cannot run (Pointless) and
// says how to get one.
func (t Text) prepare() (textInputs, error) {
	in := textInputs{lang: t.Lang, font: t.Font}
	if !slices.Contains(templates.Languages, t.Lang) {
		return in, runerr.Usagef("--lang %q: want one of %v", t.Lang, templates.Languages)
	}
	if t.Flow != "" {
		b, err := infile.ReadFile(t.Flow, infile.Limits{MaxBytes: maxFlowBytes, Text: true})
		if err != nil {
			return in, runerr.Usagef("--flow %s: %v", t.Flow, innermost(err))
		}
		in.flow = b
	}
	if t.Font != "" || t.Lang == "ja" {
		if _, err := bundle.NewPDFDocument(t.Lang, nil, bundle.PDFOptions{FontPath: t.Font, CJKFontPaths: t.CJKFontPaths}); err != nil {
			if t.Font != "" {
				return in, runerr.Usagef("--font %s: %v", t.Font, innermost(err))
			}
			if errors.Is(err, pdfdoc.ErrNoCJKFont) {
				return in, runerr.Env(fmt.Errorf("--lang ja: %w", pdfdoc.ErrNoCJKFont))
			}
			return in, runerr.Env(fmt.Errorf("--lang ja: %w", err))
		}
	}
	return in, nil
}

// apply puts the inputs into the bundle writer's options.
func (in textInputs) apply(o bundle.Options) bundle.Options {
	o.Lang, o.FontPath, o.Flow = in.lang, in.font, in.flow
	return o
}

// innermost is the innermost error of err's chain, for a one-line reason.
func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}
