package redact

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value redacts, in place, every string reachable from v through exported
// struct fields, pointers, slices, arrays, maps (keys and values) and
// interfaces, counting under file. Byte slices that hold UTF-8 text (raw
// JSON, file contents) are redacted too; binary ones (addresses, hashes) are
// left as they are. v must be a pointer (or a map or slice, whose elements
// are changed in place); a nil pointer is left alone.
//
// It is what makes values safe that reach a file in a form a byte-level pass
// cannot read, such as the compressed text of a PDF: the evidence and the
// findings are redacted before the PDF is drawn from them.
func (r *Redactor) Value(file string, v any) {
	c := counter{}
	w := &walker{r: r, c: c, seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(v))
	r.add(file, c)
}

type walker struct {
	r    *Redactor
	c    counter
	s    scratch
	seen map[uintptr]bool
}

func (w *walker) text(s string) string {
	out, changed := w.r.redact([]byte(s), w.c, &w.s)
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
			if t.Field(i).IsExported() {
				w.walk(v.Field(i))
			}
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
// writing into the caller's backing array).
func (w *walker) bytes(v reflect.Value) {
	b := v.Bytes()
	if !v.CanSet() || len(b) < MinSecretLen/2 || !utf8.Valid(b) {
		return
	}
	out, changed := w.r.redact(b, w.c, &w.s)
	if changed {
		v.SetBytes(append([]byte(nil), out...))
	}
}

// walkMap redacts a map's values and its string keys. Keys are visited in a
// fixed order so that phone masks and counts do not depend on map order.
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
		w.walk(val)
		nk := k
		if k.Kind() == reflect.String {
			if s := w.text(k.String()); s != k.String() {
				nk = reflect.New(k.Type()).Elem()
				nk.SetString(s)
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

// Name returns a file name with secrets removed, without counting: the names
// of a bundle's entries go through it.
func (r *Redactor) Name(name string) string {
	out, changed := r.redact([]byte(name), counter{}, &scratch{})
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

func userRuleNumber(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "user-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n > 0
}

// Clean returns b with secrets removed, without counting: for text made of
// values that were redacted already (a manifest rewritten from redacted
// parts), as a last guard.
func (r *Redactor) Clean(b []byte) []byte {
	out, _ := r.redact(b, counter{}, &scratch{})
	return out
}
