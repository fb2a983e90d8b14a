package bundle

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// zipOf writes the files of s into a bundle zip, through WriteFiles.
func zipOf(t *testing.T, s *stats.Stats, prefix string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	err := s.WriteFiles(func(name string, data []byte) error {
		w, err := zw.Create(prefix + name)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if prefix != "" {
		// A bundle's folder is known by its manifest.
		if w, err := zw.Create(prefix + "manifest.json"); err == nil {
			w.Write([]byte("{}"))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadStatsSummary_Errors(t *testing.T) {
	s, err := stats.Compute(stats.Input{Window: testkit.Week(time.UTC, nil, nil).Window}, stats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	good := zipOf(t, s, "")
	zipWith := func(name, content string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(content))
		_ = zw.Close()
		return b.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte("this is not a zip file"), "not a valid zip"},
		{"truncated zip", good[:len(good)/2], "not a valid zip"},
		{"no summary in the zip", zipWith("README.txt", "hello"), "no stats/summary.json in the bundle"},
		{"summary is not JSON", zipWith(stats.SummaryPath, "{not json"), "read stats/summary.json"},
		{"summary of another schema", zipWith(stats.SummaryPath, `{"schema": 99, "window": {"seconds": 60}}`), "schema version 99"},
		{"summary without a window", zipWith(stats.SummaryPath, `{"schema": 1}`), "window of 0 seconds"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("b%d.zip", i))
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadStatsSummary(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error = %v, want one naming %s and containing %q", err, path, tt.want)
			}
		})
	}
	if _, err := ReadStatsSummary(filepath.Join(dir, "missing.zip")); err == nil {
		t.Errorf("a missing file gave no error")
	}
}

func TestReadStatsSummary_UnderTheBundlesFolder(t *testing.T) {
	s, err := stats.Compute(stats.Input{Window: testkit.Week(time.UTC, nil, nil).Window,
		Incidents: []collect.Incident{testkit.FailedAt(time.Hour, "11205", "https://ivr.example.com/voice")}}, stats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "twilio-evidence_AC1/"} {
		path := filepath.Join(t.TempDir(), "previous.zip")
		if err := os.WriteFile(path, zipOf(t, s, prefix), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadStatsSummary(path)
		if err != nil || got.Total != 1 || got.Window.Seconds != s.Window.Seconds {
			t.Errorf("folder %q: %+v, %v", prefix, got, err)
		}
	}
}
