package redact

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value redacts, in place, every string reachable from v through exported
// struct fields, pointers, slices, arrays, maps (keys and values) and
// interfaces, as outside data, counting under file. Byte slices that hold
// UTF-8 text (raw JSON, file contents) are redacted too, JSON as JSON; binary
// ones (addresses, hashes) are left as they are. v must be a pointer (or a
// map or slice, whose elements are changed in place); a nil pointer is left
// alone.
//
// A struct field tagged `redact:"own"` holds the tool's own words (a
// collector's reason, the command line): only the value rules apply there
// (see Own). A map entry whose string key names a secret or a sensitive
// header (see JSON) loses its whole value. Map keys themselves go through the
// value rules only.
//
// It is what makes values safe that reach a file in a form a byte-level pass
// cannot read, such as the compressed text of a PDF: the evidence is
// redacted before anything is drawn from it.
func (r *Redactor) Value(file string, v any) { r.value(file, v, false) }

// OwnValue is Value for the tool's own data (findings drawn from evidence
// redacted already): only the value rules apply, everywhere in v.
func (r *Redactor) OwnValue(file string, v any) { r.value(file, v, true) }

func (r *Redactor) value(file string, v any, own bool) {
	c := counter{}
	w := &walker{rs: r.set.Load(), c: c, own: own, seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(v))
	r.add(file, c)
}

type walker struct {
	rs   *ruleSet
	c    counter
	s    scratch
	seen map[uintptr]bool
	// own: only the value rules apply (a field tagged redact:"own").
	own bool
	// force, when set, is the rule that removes every string reached (the
	// value of a map entry whose key names a secret); forceName is that key.
	force     string
	forceName []byte
}

func (w *walker) text(s string) string {
	if w.force != "" {
		if v, ok := memberValue(w.force, w.forceName, []byte(s)); ok {
			w.c[w.force]++
			return v
		}
		return s
	}
	rules := w.rs.all
	if w.own {
		rules = w.rs.own
	}
	out, changed := w.rs.redact([]byte(s), rules, w.c, &w.s)
	if !changed {
		return s
	}
	return string(out)
}

func (w *walker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		inner := v.Elem()
		if inner.Kind() == reflect.Pointer || inner.Kind() == reflect.Map || inner.Kind() == reflect.Slice {
			w.walk(inner)
			return
		}
		if !v.CanSet() {
			return
		}
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		w.walk(cp)
		v.Set(cp)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Tag.Get("redact") == "own" && !w.own {
				w.own = true
				w.walk(v.Field(i))
				w.own = false
				continue
			}
			w.walk(v.Field(i))
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			w.bytes(v)
			return
		}
		// Slices are not remembered: two slices may share an array with
		// different lengths, and redacting twice changes nothing.
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i))
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i))
		}
	case reflect.Map:
		w.walkMap(v)
	case reflect.String:
		if v.CanSet() {
			if s := w.text(v.String()); s != v.String() {
				v.SetString(s)
			}
		}
	}
}

// bytes redacts a byte slice that holds text, replacing the slice (never
// writing into the caller's backing array). Outside JSON is read as JSON.
func (w *walker) bytes(v reflect.Value) {
	b := v.Bytes()
	if !v.CanSet() || len(b) < MinSecretLen/2 || !utf8.Valid(b) {
		return
	}
	var out []byte
	var changed bool
	switch {
	case w.force != "":
		if s := w.text(string(b)); s != string(b) {
			out, changed = []byte(s), true
		}
	case w.own:
		out, changed = w.rs.redact(b, w.rs.own, w.c, &w.s)
	case json.Valid(b):
		out, changed = w.rs.redactJSON(b, w.c, &w.s, &jsonState{})
	default:
		out, changed = w.rs.redact(b, w.rs.all, w.c, &w.s)
	}
	if changed {
		v.SetBytes(append([]byte(nil), out...))
	}
}

// walkMap redacts a map's values and its string keys (by the value rules).
// Keys are visited in a fixed order so that phone masks and counts do not
// depend on map order.
func (w *walker) walkMap(v reflect.Value) {
	if v.IsNil() || v.Len() == 0 || w.seen[v.Pointer()] {
		return
	}
	w.seen[v.Pointer()] = true
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keyString(keys[i]) < keyString(keys[j]) })
	et := v.Type().Elem()
	for _, k := range keys {
		val := reflect.New(et).Elem()
		val.Set(v.MapIndex(k))
		if k.Kind() == reflect.String && !w.own && w.force == "" {
			if rule := memberRule([]byte(k.String()), w.rs.maskBodies); rule != "" {
				w.force, w.forceName = rule, []byte(k.String())
				w.walk(val)
				w.force, w.forceName = "", nil
			} else {
				w.walk(val)
			}
		} else {
			w.walk(val)
		}
		nk := k
		if k.Kind() == reflect.String {
			out, changed := w.rs.redact([]byte(k.String()), w.rs.own, w.c, &w.s)
			if changed {
				nk = reflect.New(k.Type()).Elem()
				nk.SetString(string(out))
				v.SetMapIndex(k, reflect.Value{})
			}
		}
		v.SetMapIndex(nk, val)
	}
}

func keyString(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	}
	return k.String()
}

// Name returns a file name with secrets removed by the value rules, without
// counting: the names of a bundle's entries go through it.
func (r *Redactor) Name(name string) string {
	rs := r.set.Load()
	out, changed := rs.redact([]byte(name), rs.own, counter{}, &scratch{})
	if !changed {
		return name
	}
	return string(out)
}

// Merge returns the report of a bundle redacted twice: prev is the report
// the bundle already carried, cur the one of the new pass. Counts add up per
// file and rule; the new pass's user rules are renumbered after the old
// ones ("user-1" of the new pass becomes "user-3" when the old report had
// two), so that two different expressions never share a name.
func Merge(prev, cur Report) Report {
	lastUser := 0
	for _, ru := range prev.Rules {
		if n, ok := userRuleNumber(ru.Name); ok && n > lastUser {
			lastUser = n
		}
	}
	rename := func(name string) string {
		if n, ok := userRuleNumber(name); ok {
			return "user-" + strconv.Itoa(lastUser+n)
		}
		return name
	}
	out := Report{Files: map[string]map[string]int{}, Totals: map[string]int{}}
	known := map[string]bool{}
	for _, ru := range prev.Rules {
		if !known[ru.Name] {
			known[ru.Name] = true
			out.Rules = append(out.Rules, ru)
		}
	}
	for _, ru := range cur.Rules {
		ru.Name = rename(ru.Name)
		if !known[ru.Name] {
			known[ru.Name] = true
			out.Rules = append(out.Rules, ru)
		}
	}
	addFiles := func(files map[string]map[string]int, ren func(string) string) {
		for f, m := range files {
			dst := out.Files[f]
			if dst == nil {
				dst = map[string]int{}
				out.Files[f] = dst
			}
			for k, n := range m {
				dst[ren(k)] += n
				out.Totals[ren(k)] += n
			}
		}
	}
	addFiles(prev.Files, func(s string) string { return s })
	addFiles(cur.Files, rename)
	return out
}

// CleanReport returns rep with its file names redacted by the value rules:
// the report a bundle already carried names its files as they were, which
// may spell out a secret this Redactor knows (redact --secret-file). Counts
// of names that become one are added up.
func (r *Redactor) CleanReport(rep Report) Report {
	out := Report{Rules: rep.Rules, Files: map[string]map[string]int{}, Totals: rep.Totals}
	for f, m := range rep.Files {
		name := r.Name(f)
		dst := out.Files[name]
		if dst == nil {
			dst = map[string]int{}
			out.Files[name] = dst
		}
		for k, n := range m {
			dst[k] += n
		}
	}
	return out
}

func userRuleNumber(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "user-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n > 0
}

// Clean returns the tool's own text b with secrets removed by the value
// rules (Own), without counting: for text made of values that were redacted
// already (a manifest rewritten from redacted parts), as a last guard.
func (r *Redactor) Clean(b []byte) []byte {
	rs := r.set.Load()
	out, _ := rs.redact(b, rs.own, counter{}, &scratch{})
	return out
}
